package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private static List<Long> take(Backoff backoff, int n) {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            delays.add(backoff.next().toMillis());
        }
        return delays;
    }

    @Test
    void doublesFromTheInitialDelayUpToTheCap() {
        Backoff backoff = Backoff.unbounded(Duration.ofMillis(200), Duration.ofSeconds(10));
        assertThat(take(backoff, 9)).containsExactly(200L, 400L, 800L, 1600L, 3200L, 6400L, 10000L, 10000L, 10000L);
    }

    @Test
    void resetStartsOverFromTheInitialDelay() {
        Backoff backoff = Backoff.unbounded(Duration.ofMillis(50), Duration.ofSeconds(2));
        take(backoff, 5);
        backoff.reset();
        assertThat(take(backoff, 2)).containsExactly(50L, 100L);
    }

    @Test
    void refusesANonPositiveStartOrACapBelowIt() {
        assertThatThrownBy(() -> Backoff.unbounded(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Backoff.unbounded(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
