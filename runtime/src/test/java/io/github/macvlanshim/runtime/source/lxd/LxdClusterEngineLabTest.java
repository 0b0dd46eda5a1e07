package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.KernelEvents;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LabDir;
import io.github.macvlanshim.lab.LxdCluster;
import io.github.macvlanshim.lab.LxdDaemon;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;

/**
 * A real two-member LXD cluster with an engine on each member: each routes only the instances it runs. An
 * instance elsewhere in the cluster is on the LAN behind its own member and must never be routed through
 * this member's shim, whether it was created there or moved there.
 */
@Tag("lab")
class LxdClusterEngineLabTest {

    private static final Duration WITHIN = Duration.ofSeconds(3);

    @BeforeAll
    static void sweep() {
        LabDir.sweepStale();
        Lab.sweepStale();
    }

    @Test
    void eachMemberRoutesOnlyItsOwnInstancesAlsoAfterAMoveAndNeverTheOthers() throws Exception {
        Lab lab = Lab.create();
        try (LxdCluster cluster = LxdCluster.form(lab)) {
            LxdDaemon m1 = cluster.member(LxdCluster.M1);
            LxdDaemon m2 = cluster.member(LxdCluster.M2);
            try (Engine onM1 = start(m1); Engine onM2 = start(m2); KernelEvents m1Events = KernelEvents.record(m1.netns())) {
                m1.launch("k1", "--target", LxdCluster.M1);
                m1.launch("k2", "--target", LxdCluster.M2);
                m1.setAddress("k1", "198.51.100.211/24", "2001:db8:100::211/64");
                m2.setAddress("k2", "198.51.100.212/24", "2001:db8:100::212/64");

                assertThat(Wait.until(WITHIN, () -> routes(lab, m1).equals(List.of("198.51.100.211 dev mynet",
                        "2001:db8:100::211 dev mynet")))).as("m1 routes k1, and only k1").isTrue();
                assertThat(Wait.until(WITHIN, () -> routes(lab, m2).equals(List.of("198.51.100.212 dev mynet",
                        "2001:db8:100::212 dev mynet")))).as("m2 routes k2, and only k2").isTrue();
                assertThat(lab.awaitPing(m1.netns(), "198.51.100.211", WITHIN)).as("m1 -> its k1, via the shim").isTrue();
                assertThat(lab.awaitPing(m1.netns(), "198.51.100.212", WITHIN)).as("m1 -> k2, over the LAN").isTrue();
                assertThat(lab.awaitPing(m2.netns(), "2001:db8:100::212", WITHIN)).as("m2 -> its k2, IPv6").isTrue();

                m1.launch("k3", "--target", LxdCluster.M2);
                m2.setAddress("k3", "198.51.100.213/24", null);
                assertThat(Wait.until(WITHIN, () -> routes(lab, m2).contains("198.51.100.213 dev mynet"))).isTrue();

                m1.stopInstance("k1");
                assertThat(Wait.until(WITHIN, () -> routes(lab, m1).isEmpty())).as("k1 stopped").isTrue();
                m1.lxc("move", "k1", "--target", LxdCluster.M2);
                m1.startInstance("k1");
                m2.setAddress("k1", "198.51.100.211/24", null);
                assertThat(Wait.until(WITHIN, () -> routes(lab, m2).contains("198.51.100.211 dev mynet")))
                        .as("moved k1 is routed by its new member").isTrue();
                onM1.reconcile("test");
                assertThat(routes(lab, m1)).as("nothing on m1 once k1 left it").isEmpty();
                assertThat(lab.awaitPing(m1.netns(), "198.51.100.211", WITHIN)).as("m1 -> moved k1, over the LAN")
                        .isTrue();

                assertThat(m1Events.lines()).as("m1's kernel never saw a route to an instance of m2")
                        .noneMatch(line -> line.contains("198.51.100.212") || line.contains("198.51.100.213")
                                || line.contains("2001:db8:100::212"));
                assertThat(onM2.status().ready()).isTrue();
            }
        } finally {
            lab.close();
        }
    }

    private static Engine start(LxdDaemon member) {
        return LxdEngines.start(member, report -> {
        });
    }

    private static List<String> routes(Lab lab, LxdDaemon member) {
        return lab.routesWithProtocol(member.netns(), 77);
    }
}
