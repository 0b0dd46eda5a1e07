package io.github.macvlanshim.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateFileConfigTest {

    @Test
    void unsetItIsKeptUnderVarLibOnAHostAndNotAtAllInANamedNamespace() {
        assertThat(ConfigValidator.stateFile(Optional.empty(), Optional.empty()))
                .contains(Path.of("/var/lib/macvlan-shim/sources.json"));
        assertThat(ConfigValidator.stateFile(Optional.empty(), Optional.of("msl-h-1"))).isEmpty();
    }

    @Test
    void noneTurnsItOffAndAPathIsTakenAsItIs() {
        assertThat(ConfigValidator.stateFile(Optional.of("none"), Optional.empty())).isEmpty();
        assertThat(ConfigValidator.stateFile(Optional.of("/srv/agent/state.json"), Optional.of("msl-h-1")))
                .contains(Path.of("/srv/agent/state.json"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "sources.json", "/var/lib/../etc/shadow", "/var/lib/x;rm -rf /", "/tmp/a b", "" })
    void anythingElseStopsStartUpNamingTheKeyAndTheValue(String value) {
        assertThatThrownBy(() -> ConfigValidator.stateFile(Optional.of(value), Optional.empty()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("quarkus.macvlan-shim.state-file=" + value)
                .hasMessageContaining("expected none, or an absolute path");
    }
}
