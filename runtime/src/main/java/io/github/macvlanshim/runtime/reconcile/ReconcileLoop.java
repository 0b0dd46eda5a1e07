package io.github.macvlanshim.runtime.reconcile;

import java.time.Duration;

import org.jboss.logging.Logger;

/**
 * Coalesces reconcile requests: any number of {@link #request()} calls while a run is waiting or going on
 * lead to one more run, not one each. A burst of 100 events is a few reconciles, not 100. Runs happen on
 * one daemon thread, one at a time.
 * <p>
 * A {@link #request()} waits the debounce for others to join it: the kernel announces one change in several lines
 * (a link set down, its routes gone). A {@link #requestNow()} does not: a source's report about one instance is
 * already the whole change, and its route should follow without delay; requests during a run still make one run
 * after it.
 */
public final class ReconcileLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReconcileLoop.class);

    private final Runnable task;
    private final long debounceMillis;
    private final Thread thread;
    private boolean pending;
    private boolean urgent;
    private boolean closed;
    private boolean died;
    private long runs;
    private long requests;

    /**
     * A loop that takes requests at once and runs them from {@link #start()} on: what was asked before is run then,
     * so an owner can let events come in while it does the first run itself.
     *
     * @param debounce how long to wait after the first request for others to join it
     */
    public ReconcileLoop(Runnable task, Duration debounce, String threadName) {
        this.task = task;
        this.debounceMillis = debounce.toMillis();
        this.thread = new Thread(this::loop, threadName);
        this.thread.setDaemon(true);
    }

    /** Starts running requests, those made so far first; once only. */
    public synchronized void start() {
        if (!closed) {
            thread.start();
        }
    }

    public synchronized void request() {
        requests++;
        pending = true;
        notifyAll();
    }

    /** As {@link #request()}, without the debounce: the run starts as soon as the one going on (if any) ends. */
    public synchronized void requestNow() {
        requests++;
        pending = true;
        urgent = true;
        notifyAll();
    }

    /** How many requests came so far: set against {@link #runs()}, what coalescing saved. */
    public synchronized long requests() {
        return requests;
    }

    /** How many runs have started so far. */
    public synchronized long runs() {
        return runs;
    }

    /**
     * Whether the loop still takes requests: false once its thread ended other than by {@link #close()}. Liveness
     * reads it, so a loop that died is DOWN at once, not three intervals later.
     */
    public synchronized boolean alive() {
        return closed || !died;
    }

    private void loop() {
        try {
            while (awaitRequest()) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.errorf(e, "reconcile failed unexpectedly: %s", e.getMessage());
                } catch (Error e) {
                    // A StackOverflowError or an assertion in one run says nothing about the next: carry on, loudly.
                    // Should even that fail (out of memory), the finally below reports the death.
                    LOG.errorf(e, "reconcile failed with %s; the reconcile loop carries on", e);
                }
            }
        } finally {
            synchronized (this) {
                if (!closed) {
                    died = true;
                    LOG.errorf("the reconcile loop %s died: events no longer trigger reconciles (liveness is DOWN)",
                            thread.getName());
                }
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
            for (long left = debounceMillis; left > 0 && !closed && !urgent; left = (until - System.nanoTime()) / 1_000_000) {
                wait(left);
            }
            pending = false;
            urgent = false;
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
