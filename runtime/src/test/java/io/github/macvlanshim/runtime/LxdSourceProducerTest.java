package io.github.macvlanshim.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.macvlanshim.runtime.EngineSettingsProducer.LxdSourceProducer;
import io.github.macvlanshim.runtime.config.SocketSetting;
import io.github.macvlanshim.runtime.source.InstanceSource.Expectation;
import io.github.macvlanshim.runtime.source.SourceAbsentException;
import io.github.macvlanshim.runtime.source.lxd.LxdException;
import io.github.macvlanshim.runtime.source.lxd.LxdInstanceSource;
import io.github.macvlanshim.runtime.source.lxd.LxdSockets;

class LxdSourceProducerTest {

    @Test
    void autoWithoutAnySocketIsADetectedSourceThatSaysItIsAbsentNamingWhereItLooked(@TempDir Path dir) {
        // Assumes the build machine runs no LXD or Incus daemon of its own at the known paths.
        org.junit.jupiter.api.Assumptions.assumeTrue(LxdSockets.KNOWN.stream().noneMatch(Files::exists));

        LxdInstanceSource source = LxdSourceProducer.source(SocketSetting.auto(), Optional.of(dir.toString()))
                .orElseThrow();
        try {
            assertThat(source.expectation()).isEqualTo(Expectation.DETECTED);
            assertThatThrownBy(source::snapshot).isExactlyInstanceOf(SourceAbsentException.class)
                    .hasMessageContaining(dir.resolve("unix.socket").toString())
                    .hasMessageContaining("/var/lib/lxd/unix.socket");
        } finally {
            source.close();
        }
    }

    @Test
    void autoUsesTheSocketUnderLxdDirOnceItAppears(@TempDir Path dir) throws IOException {
        LxdInstanceSource source = LxdSourceProducer.source(SocketSetting.auto(), Optional.of(dir.toString()))
                .orElseThrow();
        try {
            Path socket = Files.createFile(dir.resolve("unix.socket"));

            // A plain file where the socket should be: found, so the daemon is there but does not answer.
            assertThatThrownBy(source::snapshot).isInstanceOf(LxdException.class)
                    .isNotInstanceOf(SourceAbsentException.class)
                    .hasMessageContaining(socket.toString());
        } finally {
            source.close();
        }
    }

    @Test
    void noneTurnsTheSourceOffEvenWithASocket(@TempDir Path dir) throws IOException {
        Files.createFile(dir.resolve("unix.socket"));
        assertThat(LxdSourceProducer.source(SocketSetting.none(), Optional.of(dir.toString()))).isEmpty();
    }

    @Test
    void aConfiguredSocketThatIsMissingIsAwaitedAsAnExpectedSourceNotAStartUpFailure(@TempDir Path dir) {
        Path missing = dir.resolve("unix.socket");

        LxdInstanceSource source = LxdSourceProducer.source(SocketSetting.path(missing), Optional.empty())
                .orElseThrow();
        try {
            assertThat(source.expectation()).isEqualTo(Expectation.CONFIGURED);
            assertThatThrownBy(source::snapshot).isExactlyInstanceOf(SourceAbsentException.class)
                    .hasMessage("no API socket at " + missing);
        } finally {
            source.close();
        }
    }
}
