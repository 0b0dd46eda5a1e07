package io.github.macvlanshim.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One engine per shim: an exclusive lock on {@code /run/macvlan-shim/<where>+<shim>.lock}, where {@code <where>}
 * is {@code host} or {@code netns-NAME}. Two engines on one shim would undo each other's routes; the second
 * one refuses instead, before it reads or changes anything.
 * <p>
 * The lock is a POSIX record lock ({@link FileChannel#tryLock()}): the kernel drops it when the holding process
 * dies, SIGKILL included, so a crash never blocks the next start. The holder writes its PID into the file, for
 * the refusal message. '+' separates the two names because neither a namespace name nor an interface name can
 * contain one.
 * <p>
 * A POSIX lock belongs to the process, and closing <em>any</em> descriptor of the file releases it. So within
 * one JVM a second engine must not even open the file: paths held here are tracked in {@link #HELD} and refused
 * from there.
 */
public final class ShimLock implements AutoCloseable {

    /** Where lock files live: a tmpfs on systemd hosts, empty after a reboot. */
    public static final Path DIRECTORY = Path.of("/run/macvlan-shim");

    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    private ShimLock(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock for {@code shim} in {@code netns} (empty: the host's own namespace), or throws why not. */
    public static ShimLock acquire(Optional<String> netns, String shim) {
        return acquire(DIRECTORY, netns, shim);
    }

    static ShimLock acquire(Path directory, Optional<String> netns, String shim) {
        Path path = directory.resolve(fileName(netns, shim)).toAbsolutePath().normalize();
        String what = "shim " + shim + netns.map(ns -> " in network namespace " + ns).orElse(" in the host namespace");
        if (!HELD.add(path)) {
            throw refusal(what, path, "this process (PID " + ProcessHandle.current().pid() + ")");
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(directory);
            // No TRUNCATE_EXISTING: the file may hold the PID of a live holder, which the refusal names.
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                String holder = holderPid(channel).map(pid -> "PID " + pid).orElse("a process that wrote no PID");
                throw refusal(what, path, holder);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new ShimLock(path, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            HELD.remove(path);
            throw new IllegalStateException("macvlan-shim cannot take the lock " + path + " for " + what + ": " + e
                    + "; expected a writable directory " + directory + " (root, or CAP_DAC_OVERRIDE)", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            HELD.remove(path);
            throw e;
        }
    }

    static String fileName(Optional<String> netns, String shim) {
        return netns.map(ns -> "netns-" + ns).orElse("host") + "+" + shim + ".lock";
    }

    public Path path() {
        return path;
    }

    /** Releases the lock; the file stays (deleting it would race with the next holder's open). */
    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            channel.truncate(0);
            lock.release();
        } catch (IOException e) {
            // Closing the channel below releases the lock anyway.
        } finally {
            closeQuietly(channel);
            HELD.remove(path);
        }
    }

    private static IllegalStateException refusal(String what, Path path, String holder) {
        return new IllegalStateException("macvlan-shim refuses to start: " + what
                + " is already managed by another macvlan-shim engine (" + holder + " holds the lock " + path
                + "); two engines on one shim would undo each other's changes. Nothing was changed: stop the other"
                + " engine or configure another shim name");
    }

    private static Optional<Long> holderPid(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
        return text.matches("[0-9]{1,10}") ? Optional.of(Long.parseLong(text)) : Optional.empty();
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing more to release.
            }
        }
    }
}
