package io.github.macvlanshim.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.LaunchMode;

class EngineModeTest {

    @Test
    void testModeWorksInMemoryUnlessTheRealHostIsAskedFor() {
        assertThat(EngineMode.of(LaunchMode.TEST, false)).isEqualTo(EngineMode.IN_MEMORY);
        assertThat(EngineMode.of(LaunchMode.TEST, true)).isEqualTo(EngineMode.HOST);
        assertThat(EngineMode.IN_MEMORY.onHost()).isFalse();
    }

    @Test
    void devModeWorksOnTheHostAndCleansUp() {
        assertThat(EngineMode.of(LaunchMode.DEVELOPMENT, false)).isEqualTo(EngineMode.DEV);
        assertThat(EngineMode.of(LaunchMode.DEVELOPMENT, true)).isEqualTo(EngineMode.DEV);
        assertThat(EngineMode.DEV.onHost()).isTrue();
    }

    @Test
    void productionWorksOnTheHostWhateverTheTestSwitchSays() {
        assertThat(EngineMode.of(LaunchMode.NORMAL, false)).isEqualTo(EngineMode.HOST);
        assertThat(EngineMode.of(LaunchMode.NORMAL, true)).isEqualTo(EngineMode.HOST);
    }
}
