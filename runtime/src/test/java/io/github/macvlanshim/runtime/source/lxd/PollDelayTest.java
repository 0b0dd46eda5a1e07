package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** When the next read of an awaited instance comes: counted from the start of the read before it. */
class PollDelayTest {

    private static final Duration EVERY = Duration.ofMillis(50);

    @Test
    void theReadsOwnTimeIsTakenFromTheDelaySoReadsComeEveryInterval() {
        assertThat(LxdInstanceSource.fromStart(EVERY, Duration.ZERO)).isEqualTo(EVERY);
        assertThat(LxdInstanceSource.fromStart(EVERY, Duration.ofMillis(18))).isEqualTo(Duration.ofMillis(32));
        assertThat(LxdInstanceSource.fromStart(EVERY, Duration.ofMillis(25))).isEqualTo(Duration.ofMillis(25));
    }

    @Test
    void aDaemonSlowerThanHalfTheIntervalStillGetsHalfOfItAsAPause() {
        assertThat(LxdInstanceSource.fromStart(EVERY, Duration.ofMillis(40))).isEqualTo(Duration.ofMillis(25));
        assertThat(LxdInstanceSource.fromStart(EVERY, Duration.ofSeconds(3))).isEqualTo(Duration.ofMillis(25));
        assertThat(LxdInstanceSource.fromStart(Duration.ofSeconds(2), Duration.ofMillis(30)))
                .isEqualTo(Duration.ofMillis(1970));
    }
}
