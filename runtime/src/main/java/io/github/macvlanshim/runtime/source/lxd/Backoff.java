package io.github.macvlanshim.runtime.source.lxd;

import java.time.Duration;

/**
 * Delays that start short and double up to a cap: the next wait is {@link #next()}, {@link #reset()} starts
 * over. Optionally bounded by a total: {@link #exhausted()} once the waits handed out reach it. Pure and not
 * thread-safe: one per retry loop.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration cap;
    private final Duration total;
    private Duration current;
    private Duration spent = Duration.ZERO;

    private Backoff(Duration initial, Duration cap, Duration total) {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial delay " + initial + " must be positive");
        }
        if (cap.compareTo(initial) < 0) {
            throw new IllegalArgumentException("cap " + cap + " must not be below the initial delay " + initial);
        }
        this.initial = initial;
        this.cap = cap;
        this.total = total;
        this.current = initial;
    }

    /** Doubles from {@code initial} up to {@code cap}, for ever. */
    public static Backoff unbounded(Duration initial, Duration cap) {
        return new Backoff(initial, cap, null);
    }

    /** Doubles from {@code initial} up to {@code cap}, until the delays handed out add up to {@code total}. */
    public static Backoff bounded(Duration initial, Duration cap, Duration total) {
        return new Backoff(initial, cap, total);
    }

    /** Whether a bounded backoff has handed out its whole budget. */
    public boolean exhausted() {
        return total != null && spent.compareTo(total) >= 0;
    }

    /**
     * The next delay, and the one after doubles (up to the cap). A bounded backoff never hands out more than
     * what is left of its total, and {@link Duration#ZERO} once exhausted.
     */
    public Duration next() {
        Duration delay = current;
        if (total != null) {
            Duration left = total.minus(spent);
            if (left.isNegative() || left.isZero()) {
                return Duration.ZERO;
            }
            if (delay.compareTo(left) > 0) {
                delay = left;
            }
        }
        spent = spent.plus(delay);
        Duration doubled = current.multipliedBy(2);
        current = doubled.compareTo(cap) > 0 ? cap : doubled;
        return delay;
    }

    /** Starts over from the initial delay, with the whole budget. */
    public void reset() {
        current = initial;
        spent = Duration.ZERO;
    }
}
