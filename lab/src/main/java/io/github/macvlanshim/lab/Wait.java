package io.github.macvlanshim.lab;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition, for tests that wait on the kernel or an agent. */
public final class Wait {

    private static final long POLL_MILLIS = 20;

    private Wait() {
    }

    /** Whether {@code condition} became true within {@code deadline} (checked once more at the end). */
    public static boolean until(Duration deadline, BooleanSupplier condition) {
        long until = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < until) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
