package io.github.macvlanshim.runtime.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

/**
 * Follows the kernel's link, address and route changes through {@code ip [-n NS] -o monitor link address route}
 * and hands every line to a listener, so a deleted shim or route is repaired at once rather than at the next
 * tick. Deciding what a line means is the listener's job.
 * <p>
 * The process runs on a daemon thread. Should it die, it is started again after a pause that doubles from
 * 100 ms up to 5 s, and starts at 100 ms again once a run has lasted longer than that cap.
 */
public final class NetworkMonitor implements AutoCloseable {

    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private static final Logger LOG = Logger.getLogger(NetworkMonitor.class);

    private final List<String> command;
    private final Consumer<String> listener;
    private final Runnable onRestart;
    private final Thread thread;
    private final AtomicReference<Process> process = new AtomicReference<>();
    private final AtomicLong seen = new AtomicLong();
    private volatile boolean watching;
    private volatile boolean closed;

    private NetworkMonitor(IpCommand ip, Consumer<String> listener, Runnable onRestart) {
        this.command = ip.ipCommandLine(List.of("-o", "monitor", "link", "address", "route"));
        this.listener = listener;
        this.onRestart = onRestart;
        this.thread = new Thread(this::loop, "macvlan-shim-monitor" + ip.netns().map(n -> "-" + n).orElse(""));
        this.thread.setDaemon(true);
    }

    /** Starts following {@code netns} (or the namespace of this process); {@code listener} runs on the monitor's thread. */
    public static NetworkMonitor start(Optional<String> netns, Consumer<String> listener) {
        return start(netns, listener, () -> {
        });
    }

    /**
     * As {@link #start(Optional, Consumer)}; {@code onRestart} runs each time the process has been started again
     * after it stopped: whatever changed in between was never reported, so the caller must look for itself.
     */
    public static NetworkMonitor start(Optional<String> netns, Consumer<String> listener, Runnable onRestart) {
        NetworkMonitor monitor = new NetworkMonitor(new IpCommand(netns), listener, onRestart);
        monitor.thread.start();
        return monitor;
    }

    /**
     * A count that moves before every line is delivered and whenever the process stops or starts again; -1 while no
     * process is watching. Found unchanged (and not -1) between two moments, it says the kernel reported nothing in
     * between, about any interface.
     */
    public long changesSeen() {
        return watching ? seen.get() : -1;
    }

    /** Stops the process and waits for the thread; no line is delivered after this returns. */
    @Override
    public void close() {
        closed = true;
        Process running = process.get();
        if (running != null) {
            running.destroy();
        }
        thread.interrupt();
        try {
            thread.join(MAX_BACKOFF.toMillis());
            if (running != null && !running.waitFor(MAX_BACKOFF.toMillis(), TimeUnit.MILLISECONDS)) {
                running.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        Duration backoff = FIRST_BACKOFF;
        boolean restart = false;
        while (!closed) {
            long started = System.nanoTime();
            String outcome = runOnce(restart);
            restart = true;
            if (closed) {
                return;
            }
            if (Duration.ofNanos(System.nanoTime() - started).compareTo(MAX_BACKOFF) > 0) {
                backoff = FIRST_BACKOFF;
            }
            LOG.warnf("'%s' stopped (%s); starting it again in %d ms", String.join(" ", command), outcome, backoff.toMillis());
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Runs the process until it ends; returns why it ended, for the log. */
    private String runOnce(boolean restart) {
        Process started;
        try {
            started = new ProcessBuilder(ToolPaths.resolved(command)).start();
            started.getOutputStream().close();
        } catch (IOException e) {
            ToolPaths.forget(command.get(0));
            return "cannot start: " + e.getMessage();
        }
        process.set(started);
        seen.incrementAndGet();
        watching = true;
        if (closed) {
            // close() may have looked before this process existed.
            started.destroy();
        } else if (restart) {
            try {
                onRestart.run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "network monitor restart listener failed: %s", e.getMessage());
            }
        }
        AtomicReference<String> lastError = new AtomicReference<>("");
        Thread errors = new Thread(() -> keepLastLine(started.getErrorStream(), lastError), thread.getName() + "-stderr");
        errors.setDaemon(true);
        errors.start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null && !closed) {
                deliver(line);
            }
        } catch (IOException e) {
            started.destroy();
            return "reading its output failed: " + e.getMessage();
        } finally {
            watching = false;
            seen.incrementAndGet();
        }
        try {
            int exit = started.waitFor();
            errors.join(1000);
            return "exit code " + exit + (lastError.get().isEmpty() ? "" : ": " + lastError.get());
        } catch (InterruptedException e) {
            started.destroyForcibly();
            return "interrupted";
        }
    }

    private void deliver(String line) {
        seen.incrementAndGet();
        try {
            listener.accept(line);
        } catch (RuntimeException e) {
            // One bad event must not stop the monitor: the periodic resync still covers what it missed.
            LOG.errorf(e, "network monitor listener failed on line '%s'", line);
        }
    }

    private static void keepLastLine(InputStream stream, AtomicReference<String> last) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    last.set(line.strip());
                }
            }
        } catch (IOException e) {
            last.set("stderr unreadable: " + e.getMessage());
        }
    }
}
