package io.github.macvlanshim.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.runtime.config.LxdSocketSetting.Socket;
import io.github.macvlanshim.runtime.source.lxd.Daemon;

class LxdSocketConfigTest {

    @ParameterizedTest
    @ValueSource(strings = { "auto", "AUTO", " auto " })
    void autoLooksForAKnownSocket(String value) {
        assertThat(ConfigValidator.lxdSocket(value)).isEqualTo(LxdSocketSetting.auto());
    }

    @Test
    void noneTurnsTheSourceOff() {
        assertThat(ConfigValidator.lxdSocket("none")).isEqualTo(LxdSocketSetting.none());
    }

    @ParameterizedTest
    @ValueSource(strings = { "/var/snap/lxd/common/lxd/unix.socket", "/var/lib/incus/unix.socket", "/tmp/a-b_c+d@e/x" })
    void anAbsolutePlainPathIsThatSocket(String value) {
        assertThat(ConfigValidator.lxdSocket(value)).isEqualTo(LxdSocketSetting.path(Path.of(value)));
    }

    @Test
    void aListGivesOneSocketPerDaemonNamedByItsPathOrByItsName() {
        assertThat(ConfigValidator.lxdSocket("/var/snap/lxd/common/lxd/unix.socket, /var/lib/incus/unix.socket"))
                .isEqualTo(LxdSocketSetting.paths(List.of(new Socket(Daemon.LXD,
                        Path.of("/var/snap/lxd/common/lxd/unix.socket")),
                        new Socket(Daemon.INCUS, Path.of("/var/lib/incus/unix.socket")))));
        assertThat(ConfigValidator.lxdSocket("incus=/srv/a/unix.socket,lxd = /srv/b/unix.socket").sockets())
                .containsExactly(new Socket(Daemon.INCUS, Path.of("/srv/a/unix.socket")),
                        new Socket(Daemon.LXD, Path.of("/srv/b/unix.socket")));
    }

    @Test
    void twoSocketsOfOneDaemonAreRefusedSayingHowToNameThem() {
        assertThatThrownBy(() -> ConfigValidator.lxdSocket("/srv/a/unix.socket,/srv/b/unix.socket"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("quarkus.macvlan-shim.lxd.socket=/srv/a/unix.socket,/srv/b/unix.socket")
                .hasMessageContaining("expected one per daemon (name them lxd=PATH and incus=PATH)");
    }

    @ParameterizedTest
    @ValueSource(strings = { "docker=/run/docker.sock", "=/srv/a", "lxd=relative", "/srv/a,", "/srv/a,,/srv/b" })
    void aBadEntryInAListIsRefusedNamingTheWholeValue(String value) {
        assertThatThrownBy(() -> ConfigValidator.lxdSocket(value)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("quarkus.macvlan-shim.lxd.socket=" + value)
                .hasMessageContaining("expected auto, none");
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
        assertThat(settings.lxdSocket()).isEqualTo(LxdSocketSetting.auto());
    }
}
