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
import io.github.macvlanshim.runtime.config.InvalidConfigException;
import io.github.macvlanshim.runtime.config.LxdSocketSetting;

class LxdSourceProducerTest {

    @Test
    void autoUsesTheSocketUnderLxdDir(@TempDir Path dir) throws IOException {
        Path socket = Files.createFile(dir.resolve("unix.socket"));
        assertThat(LxdSourceProducer.socket(LxdSocketSetting.auto(), Optional.of(dir.toString()))).contains(socket);
    }

    @Test
    void autoWithoutAnySocketTurnsTheSourceOff(@TempDir Path dir) {
        // Assumes the build machine runs no LXD or Incus daemon of its own at the known paths.
        org.junit.jupiter.api.Assumptions.assumeTrue(
                io.github.macvlanshim.runtime.source.lxd.LxdSockets.KNOWN.stream().noneMatch(Files::exists));
        assertThat(LxdSourceProducer.socket(LxdSocketSetting.auto(), Optional.of(dir.toString()))).isEmpty();
    }

    @Test
    void noneTurnsTheSourceOffEvenWithASocket(@TempDir Path dir) throws IOException {
        Files.createFile(dir.resolve("unix.socket"));
        assertThat(LxdSourceProducer.socket(LxdSocketSetting.none(), Optional.of(dir.toString()))).isEmpty();
    }

    @Test
    void aConfiguredSocketThatIsMissingStopsStartUp(@TempDir Path dir) {
        Path missing = dir.resolve("unix.socket");
        assertThatThrownBy(() -> LxdSourceProducer.socket(LxdSocketSetting.path(missing), Optional.empty()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("quarkus.macvlan-shim.lxd.socket=" + missing)
                .hasMessageContaining("no such file");
    }
}
