package io.github.macvlanshim.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LxdSocketConfigTest {

    @ParameterizedTest
    @ValueSource(strings = { "auto", "AUTO", " auto " })
    void autoLooksForAKnownSocket(String value) {
        assertThat(ConfigValidator.lxdSocket(value)).isEqualTo(SocketSetting.auto());
    }

    @Test
    void noneTurnsTheSourceOff() {
        assertThat(ConfigValidator.lxdSocket("none")).isEqualTo(SocketSetting.none());
    }

    @ParameterizedTest
    @ValueSource(strings = { "/var/snap/lxd/common/lxd/unix.socket", "/var/lib/incus/unix.socket", "/tmp/a-b_c+d@e,f/x" })
    void anAbsolutePlainPathIsThatSocket(String value) {
        assertThat(ConfigValidator.lxdSocket(value)).isEqualTo(SocketSetting.path(Path.of(value)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "unix.socket", "var/lib/lxd/unix.socket", "~/lxd.socket", "" })
    void aRelativePathIsRefusedNamingKeyValueAndExpectation(String value) {
        assertThatThrownBy(() -> ConfigValidator.lxdSocket(value)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("quarkus.macvlan-shim.lxd.socket=" + value)
                .hasMessageContaining("absolute path").hasMessageContaining("expected auto, none");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/var/lib/lxd/unix socket", "/var/lib/lxd/../x", "/var/lib/./lxd", "/var/lib/lxd/",
            "/var/lib/lxd/unix.socket;rm", "/var/lib/lxd/$(x)", "/a//b", "/var/lib/lxd/\tx", "/var/lib/lxd/é" })
    void aPathWithOddCharactersOrStepsIsRefused(String value) {
        assertThatThrownBy(() -> ConfigValidator.lxdSocket(value)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("quarkus.macvlan-shim.lxd.socket=")
                .hasMessageContaining("may hold only");
    }

    @Test
    void settingsMadeWithoutASocketDefaultToAuto() {
        EngineSettings settings = new EngineSettings(java.util.List.of(), java.time.Duration.ofSeconds(30), 77,
                MacvlanShimConfig.OnStop.KEEP, false, java.util.Optional.empty());
        assertThat(settings.lxdSocket()).isEqualTo(SocketSetting.auto());
    }
}
