package io.github.macvlanshim.runtime.reconcile;

import java.time.Duration;

import org.jboss.logging.Logger;

/**
 * Coalesces reconcile requests: any number of {@link #request()} calls while a run is waiting or going on
 * lead to one more run, not one each. A burst of 100 events is a few reconciles, not 100. Runs happen on
 * one daemon thread, one at a time.
 */
public final class ReconcileLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReconcileLoop.class);

    private final Runnable task;
    private final long debounceMillis;
    private final Thread thread;
    private boolean pending;
    private boolean closed;
    private long runs;

    /** @param debounce how long to wait after the first request for others to join it */
    public ReconcileLoop(Runnable task, Duration debounce, String threadName) {
        this.task = task;
        this.debounceMillis = debounce.toMillis();
        this.thread = new Thread(this::loop, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public synchronized void request() {
        pending = true;
        notifyAll();
    }

    /** How many runs have started so far. */
    public synchronized long runs() {
        return runs;
    }

    private void loop() {
        while (awaitRequest()) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "reconcile failed unexpectedly: %s", e.getMessage());
            }
        }
    }

    private synchronized boolean awaitRequest() {
        try {
            while (!pending && !closed) {
                wait();
            }
            if (closed) {
                return false;
            }
            long until = System.nanoTime() + debounceMillis * 1_000_000;
            for (long left = debounceMillis; left > 0 && !closed; left = (until - System.nanoTime()) / 1_000_000) {
                wait(left);
            }
            pending = false;
            runs++;
            return !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
