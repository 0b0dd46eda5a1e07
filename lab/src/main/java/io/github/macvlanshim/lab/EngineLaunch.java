package io.github.macvlanshim.lab;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What dockerd and the Podman service need to run inside a lab namespace, and the files they leave outside their
 * directories.
 * <p>
 * {@code ip netns exec} gives its command a fresh /sys without cgroup mounts, and both engines refuse to run
 * without them ("Devices cgroup isn't mounted"). So the engine starts through a fixed script in its lab directory
 * that mounts the cgroup hierarchies (inside the private mount namespace {@code ip netns exec} made, so nothing
 * changes outside it) and then execs the engine's argument list as given: the arguments reach the engine as they
 * are, never re-parsed by the shell.
 */
final class EngineLaunch {

    private static final String CGROUPS = """
            #!/bin/sh
            set -e
            mount -t tmpfs cgroup /sys/fs/cgroup
            for c in cpu cpuacct cpuset memory devices freezer blkio pids; do
              mkdir -p /sys/fs/cgroup/$c
              mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c
            done
            mkdir -p /sys/fs/cgroup/systemd /sys/fs/cgroup/unified
            mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
            mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
            exec "$@"
            """;

    /** Paths outside their directories that engines create, and which of them this JVM's engines made. */
    private static final Map<Path, Boolean> OUTSIDE = new HashMap<>();
    private static int running;

    private EngineLaunch() {
    }

    /**
     * An engine of this JVM is about to start for the first time: notes which of {@code outside} exist before it, so
     * that {@link #engineGone()} removes only what the engines made.
     */
    static synchronized void engineComing(List<Path> outside) {
        for (Path path : outside) {
            OUTSIDE.putIfAbsent(path, !Files.exists(path));
        }
        running++;
    }

    /**
     * Starts {@code command} in {@code netns} with the cgroup mounts, its output appended to {@code log}.
     *
     * @return the engine's process (the script execs it in place)
     */
    static ProcessHandle start(String netns, Path dir, Map<String, String> env, List<String> command, Path log) {
        try {
            Path script = dir.resolve("with-cgroups.sh");
            Files.writeString(script, CGROUPS, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns, "/bin/sh", script.toString()));
            full.addAll(command);
            ProcessBuilder builder = new ProcessBuilder(full)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            ProcessHandle process = builder.start().toHandle();
            Files.writeString(dir.resolve("daemon"), Lab.ownerTag(process) + "\n", StandardCharsets.UTF_8);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0) + " in " + netns, e);
        }
    }

    /**
     * One engine of this JVM is gone; when it was the last, the files engines left outside their directories and
     * that were not there before the first one started are removed (the lab lock keeps other JVMs' engines away).
     */
    static synchronized void engineGone() {
        running--;
        if (running > 0) {
            return;
        }
        OUTSIDE.forEach((path, made) -> {
            if (made && Files.exists(path)) {
                Cmd.run(Duration.ofSeconds(30), Map.of(), List.of("rm", "-rf", "--one-file-system", path.toString()));
            }
        });
        OUTSIDE.clear();
    }
}
