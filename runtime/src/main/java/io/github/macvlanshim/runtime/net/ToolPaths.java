package io.github.macvlanshim.runtime.net;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where {@code PATH} finds a tool, looked up once per process: given a bare name, the child process tries
 * {@code execve} in every {@code PATH} directory before the tool's, at every start (strace of the native agent: 8 failed
 * calls per {@code ip} run on a developer's {@code PATH}; 0.16-0.3 ms per run on the JDK, timed with
 * {@code ProcessBuilder} against {@code /usr/sbin/ip}). A tool that is not found is looked for again next time, and a
 * found one that can no longer be started is forgotten ({@link #forget}), so installing or moving it needs no restart.
 */
final class ToolPaths {

    private static final Map<String, String> FOUND = new ConcurrentHashMap<>();

    private ToolPaths() {
    }

    /** The absolute path {@code PATH} gives {@code name}, or {@code name} itself when it has a '/' or is not found. */
    static String resolve(String name) {
        if (name.indexOf('/') >= 0) {
            return name;
        }
        String known = FOUND.get(name);
        if (known != null) {
            return known;
        }
        Optional<Path> found = find(name, System.getenv("PATH"));
        found.ifPresent(path -> FOUND.put(name, path.toString()));
        return found.map(Path::toString).orElse(name);
    }

    /** {@code command} with its first word {@linkplain #resolve resolved}. */
    static List<String> resolved(List<String> command) {
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, resolve(command.get(0)));
        return resolved;
    }

    /** Forgets where {@code name} was found: it could not be started from there. */
    static void forget(String name) {
        FOUND.remove(name);
    }

    /**
     * The first executable regular file named {@code name} in the absolute directories of {@code path} (a
     * {@code PATH} value; null or empty: none). Relative entries are skipped: they would depend on the working
     * directory, and the JDK still finds a tool there when it is given the bare name.
     */
    static Optional<Path> find(String name, String path) {
        if (path == null || path.isEmpty()) {
            return Optional.empty();
        }
        for (String directory : path.split(":")) {
            if (!directory.startsWith("/")) {
                continue;
            }
            Path candidate = Path.of(directory, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
