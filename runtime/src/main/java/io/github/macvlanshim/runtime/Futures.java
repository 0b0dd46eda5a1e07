package io.github.macvlanshim.runtime;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BiFunction;

/** Waiting for work handed to another thread, with its failure as the caller's own. */
public final class Futures {

    private Futures() {
    }

    /**
     * What {@code future} completed with. A failure of type {@code failure} is thrown as it is, an unchecked one too;
     * any other becomes {@code failed.apply(its text, it)}. An interrupt cancels the work, keeps the thread's interrupt
     * flag and becomes {@code failed.apply("interrupted while " + waitingFor, the interrupt)}.
     */
    public static <T, E extends Exception> T await(Future<T> future, Class<E> failure,
            BiFunction<String, Throwable, E> failed, String waitingFor) throws E {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (failure.isInstance(cause)) {
                throw failure.cast(cause);
            }
            if (cause instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw failed.apply(String.valueOf(cause), cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw failed.apply("interrupted while " + waitingFor, e);
        }
    }
}
