package io.github.macvlanshim.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A working directory under {@value #ROOT_PATH} for one daemon a lab starts (LXD, dnsmasq), owned by one JVM.
 * <p>
 * Its {@value #OWNER} file holds "PID START-INSTANT" of the creating JVM, so {@link #sweepStale()} can tell
 * what a dead JVM left behind. A process belongs to the directory when the directory's path is in its command
 * line or is its {@code LXD_DIR} (or {@code INCUS_DIR}), and so do all its descendants: that is how LXD's detached container monitors
 * ("[lxc monitor] DIR/containers c1") and the containers under them are found. The path has a random part,
 * so no other session's daemon ever matches.
 */
public final class LabDir {

    public static final String ROOT_PATH = "/tmp/macvlan-shim-lab";
    public static final Path ROOT = Path.of(ROOT_PATH);
    static final String OWNER = "owner";

    private static final SecureRandom RANDOM = new SecureRandom();

    private LabDir() {
    }

    /** Creates {@code ROOT/KIND-RANDOM} with an owner file naming this JVM. */
    static Path create(String kind) {
        try {
            Files.createDirectories(ROOT);
            while (true) {
                byte[] random = new byte[3];
                RANDOM.nextBytes(random);
                Path dir = ROOT.resolve(kind + "-" + HexFormat.of().formatHex(random));
                try {
                    Files.createDirectory(dir);
                } catch (FileAlreadyExistsException taken) {
                    continue;
                }
                Files.writeString(dir.resolve(OWNER), Lab.ownerTag(ProcessHandle.current()) + "\n", StandardCharsets.UTF_8);
                return dir;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a lab directory under " + ROOT, e);
        }
    }

    /** Every live process tied to {@code dir} (see the class comment) and their descendants; never this JVM. */
    public static Set<ProcessHandle> processes(Path dir) {
        String path = dir.toString();
        byte[] inCommandLine = path.getBytes(StandardCharsets.UTF_8);
        // LXD_DIR or INCUS_DIR.
        byte[] inEnvironment = ("_DIR=" + path + "\0").getBytes(StandardCharsets.UTF_8);
        long self = ProcessHandle.current().pid();
        Set<ProcessHandle> found = new LinkedHashSet<>();
        ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self)
                .filter(p -> contains(read(p, "cmdline"), inCommandLine) || contains(read(p, "environ"), inEnvironment))
                .forEach(p -> {
                    found.add(p);
                    p.descendants().forEach(found::add);
                });
        found.removeIf(p -> p.pid() == self || !p.isAlive());
        return found;
    }

    /**
     * Kills every process tied to {@code dir}, unmounts whatever is mounted under it (deepest first), and deletes
     * it without crossing into a file system still mounted there.
     */
    public static void remove(Path dir) {
        killAll(dir);
        unmountAll(dir);
        if (Files.exists(dir)) {
            Cmd.run(Duration.ofSeconds(60), Map.of(), List.of("rm", "-rf", "--one-file-system", dir.toString()));
        }
    }

    /** What of {@code dir} is still there: live processes, mounts and the directory itself; empty when all is gone. */
    public static List<String> leftovers(Path dir) {
        List<String> left = new ArrayList<>();
        processes(dir).forEach(p -> left.add("process " + p.pid() + " " + p.info().commandLine().orElse("?")));
        mountsUnder(dir).forEach(m -> left.add("mount " + m));
        if (Files.exists(dir)) {
            left.add("directory " + dir);
        }
        return left;
    }

    /**
     * Removes the directories under {@link #ROOT} whose owning JVM is gone, with their processes and mounts.
     *
     * @return the directories removed
     */
    public static List<Path> sweepStale() {
        List<Path> removed = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ROOT)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                String owner;
                try {
                    owner = Files.readString(dir.resolve(OWNER), StandardCharsets.UTF_8).strip();
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (!Lab.isAlive(owner)) {
                    remove(dir);
                    removed.add(dir);
                }
            }
        } catch (NoSuchFileException e) {
            return removed;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return removed;
    }

    private static void killAll(Path dir) {
        // Repeated: a dying LXD may still fork, and a monitor's children are found only while it lives.
        for (int round = 0; round < 5; round++) {
            Set<ProcessHandle> processes = processes(dir);
            if (processes.isEmpty()) {
                return;
            }
            processes.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : processes) {
                try {
                    p.onExit().get(5, TimeUnit.SECONDS);
                } catch (Exception stillThere) {
                    // counted in the next round
                }
            }
        }
        Set<ProcessHandle> left = processes(dir);
        if (!left.isEmpty()) {
            throw new IllegalStateException("processes of " + dir + " survived SIGKILL: " + left.stream().map(ProcessHandle::pid).toList());
        }
    }

    private static void unmountAll(Path dir) {
        for (String mount : mountsUnder(dir)) {
            Cmd.exec("umount", "-l", mount);
        }
    }

    /** Mount points at or under {@code dir} in this JVM's mount namespace, deepest first. */
    static List<String> mountsUnder(Path dir) {
        String path = dir.toString();
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8).stream()
                    .map(line -> line.split(" "))
                    .filter(fields -> fields.length > 1)
                    .map(fields -> fields[1].replace("\\040", " "))
                    .filter(point -> point.equals(path) || point.startsWith(path + "/"))
                    .distinct()
                    .sorted(Comparator.comparingInt(String::length).reversed())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(ProcessHandle process, String file) {
        try {
            return Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), file));
        } catch (IOException | SecurityException gone) {
            return new byte[0];
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
