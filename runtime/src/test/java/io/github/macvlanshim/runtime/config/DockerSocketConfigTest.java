package io.github.macvlanshim.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.github.macvlanshim.runtime.source.docker.DockerSockets;

/** {@code quarkus.macvlan-shim.docker.socket}, and where {@code auto} looks. */
class DockerSocketConfigTest {

    @Test
    void autoNoneAPathAndAUnixAddressAreAccepted() {
        assertThat(ConfigValidator.dockerSocket(" Auto ")).isEqualTo(SocketSetting.auto());
        assertThat(ConfigValidator.dockerSocket("none")).isEqualTo(SocketSetting.none());
        assertThat(ConfigValidator.dockerSocket("/run/podman/podman.sock"))
                .isEqualTo(SocketSetting.path(Path.of("/run/podman/podman.sock")));
        assertThat(ConfigValidator.dockerSocket("unix:///var/run/docker.sock"))
                .isEqualTo(SocketSetting.path(Path.of("/var/run/docker.sock")));
    }

    @Test
    void aRelativePathOrATcpAddressIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> ConfigValidator.dockerSocket("tcp://203.0.113.5:2375"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("quarkus.macvlan-shim.docker.socket")
                .hasMessageContaining("tcp://203.0.113.5:2375")
                .hasMessageContaining("expected auto, none, or the absolute path of the Docker or Podman API socket");
        assertThatThrownBy(() -> ConfigValidator.dockerSocket("/run/../docker.sock"))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("'..'");
    }

    @Test
    void autoTriesAUnixDockerHostFirstThenDockerThenRootfulPodman() {
        assertThat(DockerSockets.candidates(Optional.of("unix:///srv/docker/docker.sock"))).containsExactly(
                Path.of("/srv/docker/docker.sock"), Path.of("/run/docker.sock"), Path.of("/var/run/docker.sock"),
                Path.of("/run/podman/podman.sock"));
        assertThat(DockerSockets.candidates(Optional.of("tcp://203.0.113.5:2375"))).isEqualTo(DockerSockets.KNOWN);
        assertThat(DockerSockets.candidates(Optional.of("unix:///run/docker.sock"))).isEqualTo(DockerSockets.KNOWN);
        assertThat(DockerSockets.candidates(Optional.empty())).isEqualTo(List.copyOf(DockerSockets.KNOWN));
    }
}
