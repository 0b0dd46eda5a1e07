package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Where each daemon's own client looks for its socket (LXD's and Incus's client/connection.go), in its order. */
class LxdSocketsTest {

    @Test
    void lxdLooksAtLxdSocketAloneWhenSetThenLxdDirAloneThenTheSnapsThenThePackages() {
        assertThat(LxdSockets.candidates(Daemon.LXD, Map.of("LXD_SOCKET", "/srv/l.socket", "LXD_DIR", "/tmp/lab")))
                .containsExactly(Path.of("/srv/l.socket"));
        assertThat(LxdSockets.candidates(Daemon.LXD, Map.of("LXD_DIR", "/tmp/lab")))
                .containsExactly(Path.of("/tmp/lab/unix.socket"));
        assertThat(LxdSockets.candidates(Daemon.LXD, Map.of())).containsExactly(
                Path.of("/var/snap/lxd/common/lxd/unix.socket"), Path.of("/var/lib/lxd/unix.socket"));
    }

    @Test
    void incusLooksAtIncusSocketThenIncusDirThenRunIncusThenVarLibIncus() {
        assertThat(LxdSockets.candidates(Daemon.INCUS, Map.of("INCUS_SOCKET", "/srv/i.socket", "INCUS_DIR", "/x")))
                .containsExactly(Path.of("/srv/i.socket"));
        assertThat(LxdSockets.candidates(Daemon.INCUS, Map.of("INCUS_DIR", "/tmp/lab")))
                .containsExactly(Path.of("/tmp/lab/unix.socket"));
        assertThat(LxdSockets.candidates(Daemon.INCUS, Map.of())).containsExactly(Path.of("/run/incus/unix.socket"),
                Path.of("/var/lib/incus/unix.socket"));
    }

    @Test
    void eachDaemonReadsOnlyItsOwnVariables() {
        assertThat(LxdSockets.candidates(Daemon.INCUS, Map.of("LXD_DIR", "/tmp/lab", "LXD_SOCKET", "/s")))
                .isEqualTo(LxdSockets.candidates(Daemon.INCUS, Map.of()));
        assertThat(LxdSockets.candidates(Daemon.LXD, Map.of("INCUS_DIR", "/tmp/lab")))
                .isEqualTo(LxdSockets.candidates(Daemon.LXD, Map.of()));
    }

    @Test
    void aVariableThatIsEmptyRelativeOrHasDotDotStepsIsNotUsed() {
        for (String bad : new String[] { "", " ", "relative", "/var/../etc" }) {
            assertThat(LxdSockets.candidates(Daemon.LXD, Map.of("LXD_DIR", bad, "LXD_SOCKET", bad)))
                    .as(bad).isEqualTo(LxdSockets.candidates(Daemon.LXD, Map.of()));
        }
    }

    @Test
    void anUnnamedConfiguredPathIsIncusWhenADirectoryOnItSaysSo() {
        assertThat(LxdSockets.byPath(Path.of("/var/lib/incus/unix.socket"))).isEqualTo(Daemon.INCUS);
        assertThat(LxdSockets.byPath(Path.of("/run/incus/unix.socket"))).isEqualTo(Daemon.INCUS);
        assertThat(LxdSockets.byPath(Path.of("/srv/my-incus/unix.socket"))).isEqualTo(Daemon.INCUS);
        assertThat(LxdSockets.byPath(Path.of("/var/snap/lxd/common/lxd/unix.socket"))).isEqualTo(Daemon.LXD);
        assertThat(LxdSockets.byPath(Path.of("/tmp/lab/unix.socket"))).isEqualTo(Daemon.LXD);
    }

    @Test
    void vlanInterfacesAreNamedAsEachDaemonNamesThem() {
        assertThat(Daemon.LXD.vlanInterface("eth0", "20")).isEqualTo("eth0.20");
        assertThat(Daemon.INCUS.vlanInterface("eth0", "20")).isEqualTo("eth0.20");
        // 15 bytes is still a name: Incus falls back only beyond it.
        assertThat(Daemon.INCUS.vlanInterface("enp36s0f1np", "400")).isEqualTo("enp36s0f1np.400");
        assertThat(Daemon.INCUS.vlanInterface("enp36s0f1np0", "400")).isEqualTo("incus-vlan-400");
        assertThat(Daemon.LXD.vlanInterface("enp36s0f1np0", "400")).isEqualTo("enp36s0f1np0.400");
    }
}
