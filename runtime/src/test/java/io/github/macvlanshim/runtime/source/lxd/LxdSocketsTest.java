package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class LxdSocketsTest {

    @Test
    void lxdDirComesFirstThenSnapThenPackageThenIncus() {
        assertThat(LxdSockets.candidates(Optional.of("/tmp/lab"))).containsExactly(Path.of("/tmp/lab/unix.socket"),
                Path.of("/var/snap/lxd/common/lxd/unix.socket"), Path.of("/var/lib/lxd/unix.socket"),
                Path.of("/var/lib/incus/unix.socket"));
    }

    @Test
    void withoutLxdDirOnlyTheKnownPathsAreTried() {
        assertThat(LxdSockets.candidates(Optional.empty())).isEqualTo(LxdSockets.KNOWN);
        assertThat(LxdSockets.candidates(Optional.of("relative"))).isEqualTo(LxdSockets.KNOWN);
    }

    @Test
    void theFirstExistingSocketWins() {
        Set<Path> present = Set.of(Path.of("/var/lib/incus/unix.socket"), Path.of("/var/lib/lxd/unix.socket"));
        assertThat(LxdSockets.firstExisting(Optional.of("/nowhere"), present::contains))
                .contains(Path.of("/var/lib/lxd/unix.socket"));
    }

    @Test
    void noSocketAnywhereMeansNoSource() {
        assertThat(LxdSockets.firstExisting(Optional.empty(), path -> false)).isEmpty();
    }
}
