package io.github.macvlanshim.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

class FuturesTest {

    /** The caller's own failure type in these tests. */
    static final class Failed extends Exception {
        Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static <T> T await(CompletableFuture<T> future) throws Failed {
        return Futures.await(future, Failed.class, Failed::new, "waiting for the test");
    }

    @Test
    void aValueIsReturnedAndTheCallersOwnFailureIsThrownAsItIs() throws Failed {
        assertThat(await(CompletableFuture.completedFuture("answer"))).isEqualTo("answer");

        Failed own = new Failed("the daemon said no", null);
        assertThatThrownBy(() -> await(CompletableFuture.failedFuture(own))).isSameAs(own);
    }

    @Test
    void anUncheckedFailureIsThrownAsItIsAndAnyOtherBecomesTheCallersOwn() {
        IllegalArgumentException unchecked = new IllegalArgumentException("bad value");
        assertThatThrownBy(() -> await(CompletableFuture.failedFuture(unchecked))).isSameAs(unchecked);

        IOException other = new IOException("socket closed");
        assertThatThrownBy(() -> await(CompletableFuture.failedFuture(other)))
                .isInstanceOf(Failed.class).hasMessageContaining("socket closed").hasCause(other);
    }

    @Test
    void anInterruptCancelsTheWorkKeepsTheFlagAndSaysWhatWasAwaited() {
        CompletableFuture<String> never = new CompletableFuture<>();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> await(never)).isInstanceOf(Failed.class)
                    .hasMessage("interrupted while waiting for the test");
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt flag is kept").isTrue();
            assertThat(never).isCancelled();
        } finally {
            Thread.interrupted();
        }
    }
}
