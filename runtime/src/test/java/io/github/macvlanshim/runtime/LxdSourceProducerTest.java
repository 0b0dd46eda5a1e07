package io.github.macvlanshim.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.macvlanshim.runtime.EngineSettingsProducer.LxdSourceProducer;
import io.github.macvlanshim.runtime.config.ConfigValidator;
import io.github.macvlanshim.runtime.config.LxdSocketSetting;
import io.github.macvlanshim.runtime.source.InstanceSource.Expectation;
import io.github.macvlanshim.runtime.source.SourceAbsentException;
import io.github.macvlanshim.runtime.source.lxd.Daemon;
import io.github.macvlanshim.runtime.source.lxd.LxdException;
import io.github.macvlanshim.runtime.source.lxd.LxdInstanceSource;

class LxdSourceProducerTest {

    @Test
    void autoWithoutAnySocketIsADetectedSourceThatSaysItIsAbsentNamingWhereItLooked(@TempDir Path dir) {

        LxdInstanceSource source = LxdSourceProducer.source(LxdSocketSetting.auto(), Daemon.LXD, Map.of("LXD_DIR", dir.toString()))
                .orElseThrow();
        try {
            assertThat(source.expectation()).isEqualTo(Expectation.DETECTED);
            assertThatThrownBy(source::snapshot).isExactlyInstanceOf(SourceAbsentException.class)
                    .hasMessage("no API socket at " + dir.resolve("unix.socket"));
        } finally {
            source.close();
        }
    }

    @Test
    void autoUsesTheSocketUnderLxdDirOnceItAppears(@TempDir Path dir) throws IOException {
        LxdInstanceSource source = LxdSourceProducer.source(LxdSocketSetting.auto(), Daemon.LXD, Map.of("LXD_DIR", dir.toString()))
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
        assertThat(LxdSourceProducer.source(LxdSocketSetting.none(), Daemon.LXD, Map.of("LXD_DIR", dir.toString()))).isEmpty();
    }

    @Test
    void aConfiguredSocketThatIsMissingIsAwaitedAsAnExpectedSourceNotAStartUpFailure(@TempDir Path dir) {
        Path missing = dir.resolve("unix.socket");

        LxdInstanceSource source = LxdSourceProducer.source(LxdSocketSetting.path(missing), Daemon.LXD, Map.of())
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
    void autoMakesAnIncusSourceOfItsOwnThatLooksUnderIncusDir(@TempDir Path dir) {
        LxdInstanceSource incus = LxdSourceProducer.source(LxdSocketSetting.auto(), Daemon.INCUS,
                Map.of("INCUS_DIR", dir.toString(), "LXD_DIR", "/nowhere")).orElseThrow();
        try {
            assertThat(incus.name()).isEqualTo("incus");
            assertThat(incus.expectation()).isEqualTo(Expectation.DETECTED);
            assertThatThrownBy(incus::snapshot).isExactlyInstanceOf(SourceAbsentException.class)
                    .hasMessage("no API socket at " + dir.resolve("unix.socket"));
        } finally {
            incus.close();
        }
    }

    @Test
    void aConfiguredListFeedsEachDaemonItsOwnSocketAndLeavesADaemonWithoutOneOff(@TempDir Path dir) {
        LxdSocketSetting both = ConfigValidator.lxdSocket("lxd=" + dir.resolve("l") + ",incus=" + dir.resolve("i"));
        LxdInstanceSource lxd = LxdSourceProducer.source(both, Daemon.LXD, Map.of()).orElseThrow();
        LxdInstanceSource incus = LxdSourceProducer.source(both, Daemon.INCUS, Map.of()).orElseThrow();
        try {
            assertThat(List.of(lxd.name(), incus.name())).containsExactly("lxd", "incus");
            assertThatThrownBy(lxd::snapshot).hasMessage("no API socket at " + dir.resolve("l"));
            assertThatThrownBy(incus::snapshot).hasMessage("no API socket at " + dir.resolve("i"));
        } finally {
            lxd.close();
            incus.close();
        }
        assertThat(LxdSourceProducer.source(ConfigValidator.lxdSocket("/var/lib/incus/unix.socket"), Daemon.LXD,
                Map.of())).isEmpty();
    }
}
