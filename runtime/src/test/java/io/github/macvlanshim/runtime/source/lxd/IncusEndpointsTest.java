package io.github.macvlanshim.runtime.source.lxd;

import static io.github.macvlanshim.runtime.source.lxd.Fixtures.instance;
import static io.github.macvlanshim.runtime.source.lxd.Fixtures.queried;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.UnroutableNic;

/**
 * Incus's answers (lxd-json/incus/, captured from a real Incus 6.0.4 by the lab's CaptureIncusFixtures): NIC modes
 * and VLAN parents. The VLAN instances could not start on this kernel (no 802.1q), so they are captured stopped and
 * made running here by giving them a running instance's status and state: the config is the daemon's own.
 */
class IncusEndpointsTest {

    private final List<String> logged = new ArrayList<>();
    private final LxdEndpoints parser = new LxdEndpoints("incus", new ProblemLog(logged::add));
    private final JsonNode server = queried("incus/server.json");
    private final JsonNode networks = queried("incus/networks.json");
    private final ArrayNode instances = (ArrayNode) queried("incus/instances-recursion2-all-projects.json");

    @Test
    void onlyTheBridgeModeNicIsRoutedAndThePrivateAndVepaOnesAreListedWithWhy() throws SourceException {
        LxdEndpoints.Listing listing = parser.listing(server, networks, instances);

        assertThat(listing.endpoints()).extracting(Endpoint::origin, Endpoint::parent, e -> e.prefix().toString())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("incus default/b1 eth0", "eth0", "198.51.100.201/32"),
                        org.assertj.core.groups.Tuple.tuple("incus default/b1 eth0", "eth0", "2001:db8:100::201/128"));
        assertThat(listing.unroutable().keySet()).containsExactly("default/p1", "default/v1");
        assertThat(listing.unroutable().get("default/p1")).singleElement().satisfies(nic -> {
            assertThat(nic).isEqualTo(new UnroutableNic("incus", "default", "p1", "eth0", "eth0",
                    "macvlan mode private: it talks to no other macvlan on eth0, the shim included; only bridge-mode"
                            + " macvlan NICs are routed"));
        });
        assertThat(listing.unroutable().get("default/v1").get(0).why()).startsWith("macvlan mode vepa:");
        assertThat(logged).containsExactly("not routed: " + listing.unroutable().get("default/p1").get(0),
                "not routed: " + listing.unroutable().get("default/v1").get(0));
    }

    @Test
    void theServerSaysIncusAndManagedNetworksCarryTheirVlan() throws SourceException {
        assertThat(parser.server(server).daemon()).isEqualTo(Daemon.INCUS);
        assertThat(parser.macvlanNetworks(networks)).isEqualTo(Map.of("macnet", new LxdEndpoints.MacvlanNetwork("eth0", ""),
                "macvlan20", new LxdEndpoints.MacvlanNetwork("eth0", "20")));
    }

    @Test
    void aVlanNicSitsOnTheVlanInterfaceTheDaemonMakesFromTheNicOrFromItsManagedNetwork() throws SourceException {
        running("t1", "t2", "t3", "x1");

        LxdEndpoints.Listing listing = parser.listing(server, networks, instances);

        assertThat(listing.endpoints()).filteredOn(e -> e.prefix().address().getAddress().length == 4)
                .extracting(Endpoint::instance, Endpoint::parent)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("b1", "eth0"),
                        org.assertj.core.groups.Tuple.tuple("t1", "eth0.20"),
                        org.assertj.core.groups.Tuple.tuple("t2", "eth0.30"),
                        org.assertj.core.groups.Tuple.tuple("t3", "eth0.20"));
        assertThat(listing.unroutable().get("default/x1")).singleElement()
                .satisfies(nic -> assertThat(nic.why()).startsWith("macvlan mode passthru: it takes eth0 for itself"));
    }

    @Test
    void aVlanNameLongerThanFifteenBytesIsIncusVlanNOnIncusAndUnroutableOnLxd() throws SourceException {
        running("t1", "t3");
        ((ObjectNode) instance(instances, "t1").get("expanded_devices").get("eth0")).put("parent", "enx0a1b2c3d4e");
        ((ObjectNode) networks.get(1).get("config")).put("parent", "enx0a1b2c3d4e");

        assertThat(parser.endpoints(server, networks, instances)).filteredOn(e -> !e.instance().equals("b1"))
                .extracting(Endpoint::parent).containsOnly("incus-vlan-20");

        ((ObjectNode) server.get("environment")).put("server", "lxd");
        LxdEndpoints lxd = new LxdEndpoints("lxd", new ProblemLog(logged::add));
        LxdEndpoints.Listing listing = lxd.listing(server, networks, instances);
        assertThat(listing.endpoints()).extracting(Endpoint::instance).containsOnly("b1");
        assertThat(listing.unroutable().get("default/t1")).singleElement().satisfies(nic -> {
            assertThat(nic.parent()).isEqualTo("enx0a1b2c3d4e.20");
            assertThat(nic.why()).startsWith("LXD names the VLAN 20 interface on enx0a1b2c3d4e enx0a1b2c3d4e.20,"
                    + " which is no interface name");
        });
    }

    @Test
    void aVlanOrModeTheDaemonsWouldRefuseSkipsTheNicWithOneLine() throws SourceException {
        running("t1", "t2");
        ((ObjectNode) instance(instances, "t1").get("expanded_devices").get("eth0")).put("vlan", "4095");
        ((ObjectNode) instance(instances, "t2").get("expanded_devices").get("eth0")).put("mode", "source");

        assertThat(parser.listing(server, networks, instances).endpoints()).extracting(Endpoint::instance)
                .containsOnly("b1");
        assertThat(logged).contains("LXD instance default/t1: expanded_devices.eth0.vlan is \"4095\", expected a VLAN ID"
                + " from 0 to 4094; NIC skipped", "LXD instance default/t2: expanded_devices.eth0.mode is \"source\","
                + " expected bridge, vepa, passthru or private; NIC skipped");
    }

    @Test
    void aServerThatIsNeitherLxdNorIncusIsRefused() {
        ((ObjectNode) server.get("environment")).put("server", "other");
        assertThatThrownBy(() -> parser.server(server)).isInstanceOf(SourceException.class)
                .hasMessage("GET /1.0: environment.server is \"other\", expected lxd or incus");
    }

    @Test
    void aListingOfUrlsOnlyIsRefusedNotTakenForNoInstances() {
        ArrayNode urls = Fixtures.JSON.createArrayNode().add("/1.0/instances/b1").add("/1.0/instances/p1");
        assertThatThrownBy(() -> parser.listing(server, networks, urls)).isInstanceOf(SourceException.class)
                .hasMessageContaining("did not honour the recursion asked for");
    }

    /** Gives each of {@code names} b1's running status and state, as if its VLAN interface could be made. */
    private void running(String... names) {
        JsonNode running = instance(instances, "b1");
        for (String name : names) {
            ObjectNode instance = instance(instances, name);
            instance.put("status", "Running");
            instance.set("state", running.get("state").deepCopy());
        }
    }
}
