package io.github.macvlanshim.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.macvlanshim.lab.KernelEvents;

/**
 * Follows the kernel's announcements ({@link KernelEvents}) and stamps each owned route add or delete on the
 * shim with {@link System#nanoTime()} the moment its line arrives: the kernel's own notification, read within
 * a fraction of a millisecond, with no polling load on the machine.
 */
final class RouteWatcher implements AutoCloseable {

    /** One kernel notification about an owned route on the shim. */
    record Event(String destination, boolean added, long nanos) {
    }

    private final List<Event> events = new ArrayList<>();
    private KernelEvents monitor;

    private RouteWatcher() {
    }

    static RouteWatcher start(String netns) {
        RouteWatcher watcher = new RouteWatcher();
        watcher.monitor = KernelEvents.record(netns, watcher::onLine);
        return watcher;
    }

    private void onLine(String line, long nanos) {
        if (!line.contains(" dev mynet ") || !line.contains(" proto 77 ")) {
            return;
        }
        boolean deleted = line.startsWith("Deleted ");
        String rest = deleted ? line.substring("Deleted ".length()) : line;
        String destination = rest.split("\\s+", 2)[0];
        synchronized (events) {
            events.add(new Event(destination, !deleted, nanos));
            events.notifyAll();
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
        monitor.close();
    }
}
