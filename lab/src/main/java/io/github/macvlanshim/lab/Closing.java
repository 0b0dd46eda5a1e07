package io.github.macvlanshim.lab;

import java.util.function.Function;

/** Set-up that leaves nothing behind when it fails half-way: what every lab part's start does. */
public final class Closing {

    private Closing() {
    }

    /**
     * Runs {@code steps} on {@code made} (a part just made) and returns what they give; when they fail, closes
     * {@code made} and throws the failure, with any failure of the close suppressed in it.
     */
    public static <R extends AutoCloseable, T> T onFailure(R made, Function<R, T> steps) {
        try {
            return steps.apply(made);
        } catch (RuntimeException e) {
            try {
                made.close();
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }
}
