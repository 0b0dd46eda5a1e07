package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Dhcp;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LabDir;
import io.github.macvlanshim.lab.LxdDaemon;

/**
 * The real-LXD harness itself: a daemon in a lab host, a busybox container on a macvlan NIC of the host's eth0,
 * reachable from the LAN but not from its own host (the problem macvlan-shim solves), and nothing left behind.
 */
@Tag("lab")
class LxdLabHarnessTest {

    private static final String C1_V4 = "198.51.100.201";
    private static final String C1_V6 = "2001:db8:100::201";

    @BeforeAll
    static void sweep() {
        LabDir.sweepStale();
        Lab.sweepStale();
    }

    @Test
    void containerOnTheMacvlanProfileIsOnTheLanButCutOffFromItsHostAndCloseLeavesNothing() {
        Path dir;
        long daemonPid;
        Lab lab = Lab.create();
        try {
            LxdDaemon lxd = LxdDaemon.start(lab.hostNetns());
            try {
                dir = lxd.dir();
                daemonPid = lxd.pid().orElseThrow();
                long launchStart = System.nanoTime();
                lxd.launch("c1");
                Duration launch = Duration.ofNanos(System.nanoTime() - launchStart);
                lxd.setAddress("c1", C1_V4 + "/24", C1_V6 + "/64");
                System.out.printf("lxd harness: daemon ready %d ms, configured %d ms, image imported %d ms, launch %d ms%n",
                        lxd.startTimes().daemonReady().toMillis(), lxd.startTimes().configured().toMillis(),
                        lxd.startTimes().imageImported().toMillis(), launch.toMillis());

                assertThat(lab.awaitPing(lab.lanNetns(), C1_V4, Duration.ofSeconds(5))).as("LAN -> c1 over IPv4").isTrue();
                assertThat(lab.awaitPing(lab.lanNetns(), C1_V6, Duration.ofSeconds(5))).as("LAN -> c1 over IPv6").isTrue();
                assertThat(lab.ping(lab.hostNetns(), C1_V4)).as("host -> its own macvlan container").isFalse();
                assertThat(lab.ping(lab.hostNetns(), C1_V6)).as("host -> its own macvlan container, IPv6").isFalse();
                assertThat(lxd.query("/1.0/instances/c1/state")).contains(C1_V4, C1_V6);
            } finally {
                lxd.close();
            }
        } finally {
            lab.close();
        }
        assertThat(ProcessHandle.of(daemonPid)).isEmpty();
        assertThat(LabDir.leftovers(dir)).isEmpty();
        assertThat(Lab.prefixedNamespaces()).doesNotContainAnyElementsOf(lab.namespaces());
    }

    @Test
    void busyboxContainerLeasesAnAddressFromTheLabDhcp() {
        Lab lab = Lab.create();
        try (Dhcp dhcp = Dhcp.start(lab); LxdDaemon lxd = LxdDaemon.start(lab.hostNetns())) {
            lxd.launch("d1");
            String leased = lxd.dhcp("d1");

            assertThat(leased).startsWith("198.51.100.1");
            assertThat(dhcp.leases()).anyMatch(line -> line.contains(" " + leased + " "));
            assertThat(lab.awaitPing(lab.lanNetns(), leased, Duration.ofSeconds(5))).isTrue();
        } finally {
            lab.close();
        }
    }

    @Test
    void killedDaemonComesBackOnTheSameDirectoryWithItsContainerStillRunning() {
        Lab lab = Lab.create();
        try (LxdDaemon lxd = LxdDaemon.start(lab.hostNetns())) {
            lxd.launch("k1");
            lxd.setAddress("k1", "198.51.100.202/24", null);

            lxd.kill();
            assertThat(lxd.isRunning()).isFalse();
            assertThat(lab.awaitPing(lab.lanNetns(), "198.51.100.202", Duration.ofSeconds(5))).as("container outlives its daemon").isTrue();
            lxd.restart();

            assertThat(lxd.lxc("list", "--format", "csv", "--columns", "ns")).contains("k1,RUNNING");
        } finally {
            lab.close();
        }
    }
}
