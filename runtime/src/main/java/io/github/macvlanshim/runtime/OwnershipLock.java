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

import io.github.macvlanshim.runtime.net.NetworkNamespace;
import io.github.macvlanshim.runtime.net.Ownership;

/**
 * One engine per route set: an exclusive lock on {@code DIR/netns-INODE+proto-N.lock} for the pair that
 * {@link Ownership} says an engine owns, its network namespace (by inode, see {@link NetworkNamespace}) and its
 * route protocol. A second engine on the same pair would delete the first one's routes as not wanted, and the
 * first the second's, for ever; it refuses instead, before it reads or changes anything. Engines in different
 * namespaces, or with different protocols, never refuse each other.
 * <p>
 * The lock is a POSIX record lock ({@link FileChannel#tryLock()}): the kernel drops it when the holding process
 * dies, SIGKILL included, so a crash never blocks the next start. The holder writes its PID into the file, for
 * the refusal message.
 * <p>
 * A POSIX lock belongs to the process, and closing <em>any</em> descriptor of the file releases it. So within
 * one JVM a second engine must not even open the file: paths held here are tracked in {@link #HELD} and refused
 * from there.
 */
public final class OwnershipLock implements AutoCloseable {

    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    private OwnershipLock(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock for {@code ownership} in {@code namespace}, its file in {@code directory}, or throws why not. */
    public static OwnershipLock acquire(Path directory, NetworkNamespace namespace, Ownership ownership) {
        Path path = directory.resolve(fileName(namespace, ownership)).toAbsolutePath().normalize();
        String what = "route protocol " + ownership.protocol() + " in network namespace " + namespace;
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
            return new OwnershipLock(path, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            HELD.remove(path);
            throw new IllegalStateException("macvlan-shim cannot take the lock " + path + " for " + what + ": " + e
                    + "; expected a writable directory " + directory + " (root, or CAP_DAC_OVERRIDE; see"
                    + " quarkus.macvlan-shim.lock-directory)", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            HELD.remove(path);
            throw e;
        }
    }

    static String fileName(NetworkNamespace namespace, Ownership ownership) {
        return "netns-" + namespace.inode() + "+proto-" + ownership.protocol() + ".lock";
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
                + "); two engines owning the same routes would delete each other's. Nothing was changed: stop the"
                + " other engine, configure this one's shims there, or give this one another"
                + " quarkus.macvlan-shim.routes.protocol");
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
