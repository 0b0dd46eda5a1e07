package io.github.macvlanshim.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Follows {@code ip -n NS -o monitor route} and stamps each owned route add or delete on the shim with
 * {@link System#nanoTime()} the moment its line arrives: the kernel's own notification, read within a
 * fraction of a millisecond, with no polling load on the machine.
 */
final class RouteWatcher implements AutoCloseable {

    /** One kernel notification about an owned route on the shim. */
    record Event(String destination, boolean added, long nanos) {
    }

    private final Process process;
    private final Thread reader;
    private final List<Event> events = new ArrayList<>();

    private RouteWatcher(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "route-watcher");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static RouteWatcher start(String netns) {
        try {
            Process process = new ProcessBuilder("ip", "-n", netns, "-o", "monitor", "route")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // ip monitor gives no sign that it has subscribed; a short pause covers its start-up.
            Thread.sleep(200);
            return new RouteWatcher(process);
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
                if (!line.contains(" dev mynet ") || !line.contains(" proto 77 ")) {
                    continue;
                }
                boolean deleted = line.startsWith("Deleted ");
                String rest = deleted ? line.substring("Deleted ".length()) : line;
                String destination = rest.split("\\s+", 2)[0];
                synchronized (events) {
                    events.add(new Event(destination, !deleted, now));
                    events.notifyAll();
                }
            }
        } catch (IOException e) {
            // the monitor was stopped
        }
    }

    /** When {@code destination} was added (or deleted) at or after {@code afterNanos}; -1 if not within {@code timeout}. */
    long await(String destination, boolean added, long afterNanos, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (events) {
            while (true) {
                for (Event e : events) {
                    if (e.nanos() >= afterNanos && e.added() == added && e.destination().equals(destination)) {
                        return e.nanos();
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return -1;
                }
                try {
                    events.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
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
