package io.github.macvlanshim.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.macvlanshim.runtime.EngineSettingsProducer.DockerSourceProducer;
import io.github.macvlanshim.runtime.config.SocketSetting;
import io.github.macvlanshim.runtime.source.InstanceSource.Expectation;
import io.github.macvlanshim.runtime.source.SourceAbsentException;
import io.github.macvlanshim.runtime.source.docker.DockerInstanceSource;

/** The Docker/Podman source as {@code quarkus.macvlan-shim.docker.socket} makes it. */
class DockerSourceProducerTest {

    @Test
    void aConfiguredSocketThatIsMissingIsAwaitedAsAnExpectedSourceNotAStartUpFailure(@TempDir Path dir) {
        Path missing = dir.resolve("docker.sock");

        DockerInstanceSource source = DockerSourceProducer.source(SocketSetting.path(missing), Optional.empty())
                .orElseThrow();
        try {
            assertThat(source.expectation()).isEqualTo(Expectation.CONFIGURED);
            assertThatThrownBy(source::snapshot).isExactlyInstanceOf(SourceAbsentException.class)
                    .hasMessage("no API socket at " + missing);
        } finally {
            source.close();
        }
    }

    @Test
    void autoIsADetectedSource() {
        DockerInstanceSource source = DockerSourceProducer.source(SocketSetting.auto(), Optional.empty())
                .orElseThrow();
        try {
            assertThat(source.name()).isEqualTo("docker");
            assertThat(source.expectation()).isEqualTo(Expectation.DETECTED);
        } finally {
            source.close();
        }
    }

    @Test
    void noneTurnsTheSourceOffEvenWithASocket(@TempDir Path dir) throws IOException {
        Path socket = Files.createFile(dir.resolve("docker.sock"));
        assertThat(DockerSourceProducer.source(SocketSetting.none(), Optional.of("unix://" + socket))).isEmpty();
    }
}
