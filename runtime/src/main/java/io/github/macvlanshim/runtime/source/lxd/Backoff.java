package io.github.macvlanshim.runtime.source.lxd;

import java.time.Duration;

/**
 * Delays that start short and double up to a cap: the next wait is {@link #next()}, {@link #reset()} starts
 * over. Pure and not thread-safe: one per retry loop.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration cap;
    private Duration current;

    private Backoff(Duration initial, Duration cap) {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial delay " + initial + " must be positive");
        }
        if (cap.compareTo(initial) < 0) {
            throw new IllegalArgumentException("cap " + cap + " must not be below the initial delay " + initial);
        }
        this.initial = initial;
        this.cap = cap;
        this.current = initial;
    }

    /** Doubles from {@code initial} up to {@code cap}, for ever. */
    public static Backoff unbounded(Duration initial, Duration cap) {
        return new Backoff(initial, cap);
    }

    /** The next delay, and the one after doubles (up to the cap). */
    public Duration next() {
        Duration delay = current;
        Duration doubled = current.multipliedBy(2);
        current = doubled.compareTo(cap) > 0 ? cap : doubled;
        return delay;
    }

    /** Starts over from the initial delay. */
    public void reset() {
        current = initial;
    }
}
