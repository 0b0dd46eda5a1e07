package io.github.macvlanshim.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A daemon a test runs inside one lab network namespace out of its own {@link LabDir}: what {@link DockerDaemon},
 * {@link PodmanService} and {@link LxdDaemon} share. A start that fails half-way closes what it made; a shutdown
 * hook closes the daemon if a test forgets; {@link #close()} stops it, removes its directory and throws naming
 * anything that survived ({@link LabDir#sweepStale()} does the same for a JVM that died).
 */
public abstract class LabDaemon implements AutoCloseable {

    private final String kind;
    private final String netns;
    private final Path dir;
    private final Thread shutdownHook;
    private ProcessHandle process;
    private boolean closed;

    /** @param kind what runs, for messages and thread names ("dockerd", "podman", "lxd") */
    LabDaemon(String kind, String netns, Path dir) {
        this.kind = kind;
        this.netns = netns;
        this.dir = dir;
        this.shutdownHook = new Thread(this::closeQuietly, kind + "-" + dir.getFileName() + "-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Runs {@code steps} on a daemon just made; when one fails, closes it, keeping the failure first. */
    static <D extends LabDaemon> D started(D daemon, Consumer<D> steps) {
        return Closing.onFailure(daemon, made -> {
            steps.accept(made);
            return made;
        });
    }

    public String netns() {
        return netns;
    }

    /** The daemon's own directory. */
    public Path dir() {
        return dir;
    }

    /** The daemon's PID, while it runs. */
    public Optional<Long> pid() {
        return Optional.ofNullable(process).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The daemon's process, once launched. */
    protected ProcessHandle process() {
        return process;
    }

    /** Notes the daemon's process, at each (re)launch. */
    protected void launched(ProcessHandle daemon) {
        this.process = daemon;
    }

    /** Throws unless the daemon is stopped: before it is launched again on the same directory. */
    protected void requireStopped() {
        if (isRunning()) {
            throw new IllegalStateException(kind + " " + dir + " is still running (PID " + process.pid() + ")");
        }
    }

    /** SIGKILLs the daemon, as if it crashed, and waits for it to be gone. */
    protected void killProcess() {
        if (isRunning()) {
            process.destroyForcibly();
            process.onExit().join();
        }
    }

    /** Waits up to {@code grace} for the daemon to exit after it was asked to, then SIGKILLs it. */
    protected void awaitExitOrKill(Duration grace) {
        process.onExit().completeOnTimeout(null, grace.toMillis(), TimeUnit.MILLISECONDS).join();
        if (process.isAlive()) {
            process.destroyForcibly();
            process.onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
        }
    }

    /** The last {@code lines} lines of {@code log}, for failure messages. */
    protected static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Removes what runs in the daemon (containers, instances), then stops it; called only while it runs. */
    protected abstract void stop();

    /** After the directory is gone, even when removing it failed: what this kind of daemon left elsewhere. */
    protected void removed() {
    }

    /**
     * Stops the daemon and what runs in it, kills whatever else runs under its directory, deletes the directory;
     * throws naming anything that survived.
     */
    @Override
    public final synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Running as the hook: nothing to unregister.
        }
        try {
            if (isRunning()) {
                stop();
            }
            LabDir.remove(dir);
        } finally {
            removed();
        }
        List<String> left = LabDir.leftovers(dir);
        if (!left.isEmpty()) {
            throw new IllegalStateException(kind + " " + dir + " left behind: " + String.join("; ", left));
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
        }
    }
}
