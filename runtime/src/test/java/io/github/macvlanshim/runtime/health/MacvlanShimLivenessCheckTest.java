package io.github.macvlanshim.runtime.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class MacvlanShimLivenessCheckTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final Duration INTERVAL = Duration.ofSeconds(30);

    @Test
    void aliveWhileAReconcileCompletedWithinThreeIntervals() {
        assertThat(MacvlanShimLivenessCheck.alive(Optional.of(NOW.minusSeconds(89)), NOW, INTERVAL)).isTrue();
        assertThat(MacvlanShimLivenessCheck.alive(Optional.of(NOW.minusSeconds(90)), NOW, INTERVAL)).isTrue();
    }

    @Test
    void downWhenTheLastReconcileIsOlderThanThreeIntervals() {
        assertThat(MacvlanShimLivenessCheck.alive(Optional.of(NOW.minusSeconds(91)), NOW, INTERVAL)).isFalse();
    }

    @Test
    void downWhenNoReconcileEverCompleted() {
        assertThat(MacvlanShimLivenessCheck.alive(Optional.empty(), NOW, INTERVAL)).isFalse();
    }
}
