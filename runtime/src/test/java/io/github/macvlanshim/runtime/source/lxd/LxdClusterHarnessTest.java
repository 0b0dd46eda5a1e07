package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LabDir;
import io.github.macvlanshim.lab.LxdCluster;
import io.github.macvlanshim.lab.LxdDaemon;

/**
 * The real-LXD cluster harness itself: two members on one LAN, an instance placed on each, both seen from either
 * member with their location, both reachable from the LAN, and nothing left behind.
 */
@Tag("lab")
class LxdClusterHarnessTest {

    private static final String K1_V4 = "198.51.100.211";
    private static final String K1_V6 = "2001:db8:100::211";
    private static final String K2_V4 = "198.51.100.212";
    private static final String K2_V6 = "2001:db8:100::212";

    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void sweep() {
        LabDir.sweepStale();
        Lab.sweepStale();
    }

    @Test
    void instancesOnEitherMemberAreListedWithTheirLocationFromBothAndReachableFromTheLan() throws Exception {
        List<Path> dirs = new ArrayList<>();
        List<Long> pids = new ArrayList<>();
        Lab lab = Lab.create();
        try {
            LxdCluster cluster = LxdCluster.form(lab);
            try {
                for (String name : cluster.memberNames()) {
                    dirs.add(cluster.member(name).dir());
                    pids.add(cluster.member(name).pid().orElseThrow());
                }
                LxdCluster.FormTimes times = cluster.formTimes();
                long launchStart = System.nanoTime();
                cluster.member(LxdCluster.M1).launch("k1", "--target", LxdCluster.M1);
                cluster.member(LxdCluster.M1).launch("k2", "--target", LxdCluster.M2);
                Duration launches = Duration.ofNanos(System.nanoTime() - launchStart);
                cluster.member(LxdCluster.M1).setAddress("k1", K1_V4 + "/24", K1_V6 + "/64");
                cluster.member(LxdCluster.M2).setAddress("k2", K2_V4 + "/24", K2_V6 + "/64");
                System.out.printf("lxd cluster: daemons ready %d ms, bootstrapped %d ms, joined %d ms, configured %d ms,"
                        + " image imported %d ms, formed in %d ms; two launches %d ms%n",
                        times.daemonsReady().toMillis(), times.bootstrapped().toMillis(), times.joined().toMillis(),
                        times.configured().toMillis(), times.imageImported().toMillis(), times.total().toMillis(),
                        launches.toMillis());

                for (String name : cluster.memberNames()) {
                    LxdDaemon member = cluster.member(name);
                    JsonNode server = json.readTree(member.query("/1.0"));
                    assertThat(server.at("/environment/server_clustered").asBoolean()).as("%s clustered", name).isTrue();
                    assertThat(server.at("/environment/server_name").asText()).isEqualTo(name);

                    JsonNode instances = json.readTree(member.query("/1.0/instances?recursion=2"));
                    assertThat(instances).extracting(i -> i.get("name").asText() + "@" + i.get("location").asText())
                            .as("instances seen from %s", name)
                            .containsExactlyInAnyOrder("k1@m1", "k2@m2");
                }
                assertThat(lab.awaitPing(lab.lanNetns(), K1_V4, Duration.ofSeconds(5))).as("LAN -> k1 on m1").isTrue();
                assertThat(lab.awaitPing(lab.lanNetns(), K1_V6, Duration.ofSeconds(5))).as("LAN -> k1 on m1, IPv6").isTrue();
                assertThat(lab.awaitPing(lab.lanNetns(), K2_V4, Duration.ofSeconds(5))).as("LAN -> k2 on m2").isTrue();
                assertThat(lab.awaitPing(lab.lanNetns(), K2_V6, Duration.ofSeconds(5))).as("LAN -> k2 on m2, IPv6").isTrue();
            } finally {
                long closeStart = System.nanoTime();
                cluster.close();
                System.out.printf("lxd cluster: closed in %d ms%n", Duration.ofNanos(System.nanoTime() - closeStart).toMillis());
            }
        } finally {
            lab.close();
        }
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isEmpty());
        assertThat(dirs).allSatisfy(dir -> assertThat(LabDir.leftovers(dir)).isEmpty());
        assertThat(lab.namespaces()).hasSize(3);
        assertThat(Lab.prefixedNamespaces()).doesNotContainAnyElementsOf(lab.namespaces());
    }
}
