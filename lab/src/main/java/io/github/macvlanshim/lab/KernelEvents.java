package io.github.macvlanshim.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Records what the kernel announces in one namespace ({@code ip -n NS -o monitor link address route}), so
 * a test can show that something did or did not change, and when.
 */
public final class KernelEvents implements AutoCloseable {

    /** Told of each line the moment it arrives, with {@link System#nanoTime()} then. */
    public interface Listener {
        void line(String line, long nanos);
    }

    private final Process process;
    private final Listener listener;
    private final Thread reader;
    private final List<String> lines = new ArrayList<>();

    private KernelEvents(Process process, Listener listener) {
        this.process = process;
        this.listener = listener;
        this.reader = new Thread(this::read, "kernel-events");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts recording; returns once {@code ip monitor} is listening. */
    public static KernelEvents record(String netns) {
        return record(netns, (line, nanos) -> {
        });
    }

    /** Like {@link #record(String)}, also telling {@code listener} of each line as it arrives. */
    public static KernelEvents record(String netns, Listener listener) {
        try {
            Process process = new ProcessBuilder("ip", "-n", netns, "-o", "monitor", "link", "address", "route")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            // ip monitor gives no sign that it has subscribed; a short pause covers its start-up.
            Thread.sleep(150);
            return new KernelEvents(process, listener);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start ip monitor in " + netns, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                long now = System.nanoTime();
                synchronized (lines) {
                    lines.add(line);
                }
                listener.line(line, now);
            }
        } catch (IOException e) {
            // the process was stopped
        }
    }

    /** Every line seen so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
