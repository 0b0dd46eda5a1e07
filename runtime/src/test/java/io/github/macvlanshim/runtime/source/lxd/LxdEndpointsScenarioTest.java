package io.github.macvlanshim.runtime.source.lxd;

import static io.github.macvlanshim.runtime.source.lxd.Fixtures.queried;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;

/**
 * Endpoints from the scenario in lxd-json/README.md, captured from a real daemon: one NIC, two NICs, a second
 * project, a stopped instance, a NIC on another parent, a NIC on a managed macvlan network; and a two-member
 * cluster.
 */
class LxdEndpointsScenarioTest {

    private final List<String> logged = new ArrayList<>();
    private final LxdEndpoints parser = new LxdEndpoints("lxd", new ProblemLog(logged::add));

    @Test
    void everyGlobalAddressOfEveryRunningMacvlanNicWithItsParentAndNoneOfAStoppedInstance() throws SourceException {
        List<Endpoint> endpoints = parser.endpoints(queried("server.json"), queried("networks.json"),
                queried("instances-recursion2-all-projects.json"));

        assertThat(endpoints).containsExactlyInAnyOrder(
                endpoint("default", "c1", "eth0", "eth0", "198.51.100.201"),
                endpoint("default", "c1", "eth0", "eth0", "2001:db8:100::201"),
                endpoint("default", "c2", "eth0", "eth0", "198.51.100.202"),
                endpoint("default", "c2", "eth0", "eth0", "2001:db8:100::202"),
                endpoint("default", "c2", "eth1", "eth0", "198.51.100.203"),
                endpoint("default", "c2", "eth1", "eth0", "2001:db8:100::203"),
                endpoint("p2", "c3", "eth0", "eth0", "198.51.100.204"),
                endpoint("p2", "c3", "eth0", "eth0", "2001:db8:100::204"),
                endpoint("default", "o1", "eth0", "eth1", "192.0.2.10"),
                endpoint("default", "o1", "eth0", "eth1", "2001:db8:192::10"),
                endpoint("default", "n1", "eth0", "eth0", "198.51.100.205"),
                endpoint("default", "n1", "eth0", "eth0", "2001:db8:100::205"));
        assertThat(logged).as("real answers raise no complaint").isEmpty();
    }

    @Test
    void inAClusterEachMemberKeepsOnlyTheInstancesItRuns() throws SourceException {
        var instances = queried("cluster/instances-recursion2-all-projects.json");
        var networks = queried("networks.json");

        assertThat(parser.endpoints(queried("cluster/server-m1.json"), networks, instances)).containsExactlyInAnyOrder(
                endpoint("default", "k1", "eth0", "eth0", "198.51.100.211"),
                endpoint("default", "k1", "eth0", "eth0", "2001:db8:100::211"));
        assertThat(parser.endpoints(queried("cluster/server-m2.json"), networks, instances)).containsExactlyInAnyOrder(
                endpoint("default", "k2", "eth0", "eth0", "198.51.100.212"),
                endpoint("default", "k2", "eth0", "eth0", "2001:db8:100::212"));
    }

    private static Endpoint endpoint(String project, String instance, String nic, String parent, String address) {
        return new Endpoint("lxd", project, instance, nic, parent, IpPrefix.parse(address));
    }
}
