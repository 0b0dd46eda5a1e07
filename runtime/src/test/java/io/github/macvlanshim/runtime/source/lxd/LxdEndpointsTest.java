package io.github.macvlanshim.runtime.source.lxd;

import static io.github.macvlanshim.runtime.source.lxd.Fixtures.JSON;
import static io.github.macvlanshim.runtime.source.lxd.Fixtures.instance;
import static io.github.macvlanshim.runtime.source.lxd.Fixtures.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;

class LxdEndpointsTest {

    private final List<String> logged = new ArrayList<>();
    private final LxdEndpoints parser = new LxdEndpoints("lxd", new ProblemLog(logged::add));
    private final JsonNode server = metadata("server.json");
    private final JsonNode networks = metadata("networks.json");
    private final JsonNode instances = metadata("instances-recursion2.json");

    private static Endpoint lxd(String project, String instance, String nic, String address) {
        return new Endpoint("lxd", project, instance, nic, "eth0", IpPrefix.parse(address));
    }

    private List<Endpoint> parse() throws SourceException {
        return parser.endpoints(server, networks, instances);
    }

    @Test
    void everyGlobalAddressOfEveryRunningInstanceOnAMacvlanNicIsAnEndpoint() throws SourceException {
        assertThat(parse()).containsExactlyInAnyOrder(
                lxd("default", "c1", "eth0", "198.51.100.201"),
                lxd("default", "c1", "eth0", "2001:db8:100::201"),
                // device "lan" on the managed macvlan network mvnet, named eth1 inside the instance
                lxd("default", "c2", "eth1", "198.51.100.202"),
                lxd("p2", "c4", "eth0", "198.51.100.204"));
        assertThat(logged).isEmpty();
    }

    @Test
    void managedMacvlanNetworksAreKnownByNameWithTheirParent() throws SourceException {
        assertThat(parser.macvlanNetworks(networks)).isEqualTo(Map.of("mvnet", new LxdEndpoints.MacvlanNetwork("eth0", "")));
    }

    @Test
    void aStoppedInstanceWithNullNetworkGivesNothing() throws SourceException {
        assertThat(instance(instances, "c3").path("status").asText()).isEqualTo("Stopped");
        assertThat(parse()).noneMatch(endpoint -> endpoint.instance().equals("c3"));
    }

    @Test
    void theStateOfOneInstanceGivesItsEndpointsOnTheNicsAsked() {
        JsonNode state = metadata("instance-c1-state.json");
        assertThat(parser.stateEndpoints("default", "c1", state, Map.of("eth0", "eth0"))).containsExactly(
                lxd("default", "c1", "eth0", "198.51.100.201"), lxd("default", "c1", "eth0", "2001:db8:100::201"));
        assertThat(parser.stateEndpoints("default", "c3", metadata("instance-c3-stopped-state.json"),
                Map.of("eth0", "eth0"))).isEmpty();
    }

    @Test
    void anInstanceWithoutMacvlanNicHasNoMacvlanNics() throws SourceException {
        LxdEndpoints.Server here = parser.server(server);
        assertThat(parser.runningNics(instance(instances, "c5"), here, parser.macvlanNetworks(networks)).isEmpty())
                .isTrue();
        assertThat(parser.runningNics(instance(instances, "c2"), here, parser.macvlanNetworks(networks)).routable())
                .isEqualTo(Map.of("eth1", "eth0"));
    }

    @Test
    void theServerSaysWhichDaemonAndVersionItIsAndAVersionItDoesNotGiveIsLeftBlank() throws SourceException {
        assertThat(parser.server(server)).isEqualTo(new LxdEndpoints.Server(false, "", Daemon.LXD, "5.0.2"));
        ObjectNode environment = (ObjectNode) server.get("environment");
        environment.put("server_version", "5.0.2\u001b[2J");
        assertThat(parser.server(server).version()).as("control characters are not passed on to logs")
                .doesNotContain("\u001b");
        environment.remove("server_version");
        assertThat(parser.server(server).version()).isEmpty();
        environment.put("server_version", 5);
        assertThat(parser.server(server).version()).as("not text: not a version").isEmpty();
    }

    @Test
    void inAClusterOnlyInstancesLocatedOnThisMemberCount() throws SourceException {
        ObjectNode environment = (ObjectNode) server.get("environment");
        environment.put("server_clustered", true).put("server_name", "m1");
        instance(instances, "c1").put("location", "m1");
        instance(instances, "c2").put("location", "m2");
        instance(instances, "c4").put("location", "m2");
        assertThat(parse()).extracting(Endpoint::instance).containsOnly("c1");
    }

    @Test
    void aClusteredServerWithoutNameIsAnError() {
        ((ObjectNode) server.get("environment")).put("server_clustered", true).remove("server_name");
        assertThatThrownBy(this::parse).isInstanceOf(SourceException.class)
                .hasMessageContaining("environment.server_name is missing");
    }

    @Test
    void aWrongTopLevelShapeIsASourceExceptionNamingIt() {
        assertThatThrownBy(() -> parser.endpoints(server, networks, JSON.createObjectNode()))
                .isInstanceOf(SourceException.class).hasMessageContaining("/1.0/instances?recursion=2")
                .hasMessageContaining("expected an array of instances");
        assertThatThrownBy(() -> parser.endpoints(server, JSON.getNodeFactory().textNode("x"), instances))
                .isInstanceOf(SourceException.class).hasMessageContaining("/1.0/networks");
        assertThatThrownBy(() -> parser.endpoints(JSON.createArrayNode(), networks, instances))
                .isInstanceOf(SourceException.class).hasMessageContaining("metadata.environment");
        assertThatThrownBy(() -> parser.endpoints(null, networks, instances)).isInstanceOf(SourceException.class);
    }

    @Test
    void aBadAddressIsSkippedWithOneLineAndTheRestKept() throws SourceException {
        ObjectNode first = (ObjectNode) instance(instances, "c1").get("state").get("network").get("eth0")
                .get("addresses").get(0);
        first.put("address", "198.51.100.301");
        List<Endpoint> endpoints = parse();
        assertThat(endpoints).contains(lxd("default", "c1", "eth0", "2001:db8:100::201"),
                lxd("default", "c2", "eth1", "198.51.100.202"));
        assertThat(endpoints).hasSize(3);
        assertThat(logged).singleElement().asString().contains("default/c1", "state.network.eth0.addresses[].address",
                "198.51.100.301", "expected an inet address literal");
    }

    @Test
    void aProblemIsLoggedOnceHoweverOftenItIsPolled() throws SourceException {
        instance(instances, "c2").put("status", 3);
        parse();
        parse();
        parse();
        assertThat(logged).singleElement().asString().contains("default/c2", "status is 3", "expected a text");
    }

    @Test
    void hostNamesAreNeverResolved() throws SourceException {
        ((ObjectNode) instance(instances, "c1").get("state").get("network").get("eth0").get("addresses").get(0))
                .put("address", "localhost");
        assertThat(parse()).noneMatch(e -> e.prefix().toString().startsWith("127."));
        assertThat(logged).singleElement().asString().contains("localhost");
    }

    @Test
    void aFamilyThatDoesNotMatchTheAddressIsSkipped() throws SourceException {
        ((ObjectNode) instance(instances, "c1").get("state").get("network").get("eth0").get("addresses").get(0))
                .put("family", "inet6");
        assertThat(parse()).doesNotContain(lxd("default", "c1", "eth0", "198.51.100.201"));
        assertThat(logged).singleElement().asString().contains("expected an inet6 address literal");
    }

    @Test
    void wrongTypesAnywhereInsideAnInstanceNeverThrow() throws SourceException {
        ObjectNode c1 = instance(instances, "c1");
        ObjectNode c2 = instance(instances, "c2");
        ObjectNode c4 = instance(instances, "c4");
        c1.set("expanded_devices", JSON.createArrayNode());
        ((ObjectNode) c2.get("expanded_devices").get("lan")).put("name", 7);
        ((ObjectNode) c4.get("state").get("network").get("eth0")).put("addresses", "none");
        ((ArrayNode) instances).add(42).add(JSON.createObjectNode()).addNull();
        assertThat(parse()).isEmpty();
        assertThat(logged).hasSize(6).anySatisfy(line -> assertThat(line).contains("default/c1", "expanded_devices"))
                .anySatisfy(line -> assertThat(line).contains("default/c2", "expanded_devices.lan.name is 7"))
                .anySatisfy(line -> assertThat(line).contains("p2/c4", "addresses is \"none\""));
    }

    @Test
    void aMacvlanNicWithoutParentIsSkipped() throws SourceException {
        ((ObjectNode) instance(instances, "c1").get("expanded_devices").get("eth0")).remove("parent");
        assertThat(parse()).noneMatch(e -> e.instance().equals("c1"));
        assertThat(logged).singleElement().asString().contains("default/c1", "expanded_devices.eth0.parent is missing",
                "expected an interface name");
    }

    @Test
    void stateMayBeNullOrMissingForARunningInstance() throws SourceException {
        instance(instances, "c1").putNull("state");
        instance(instances, "c2").remove("state");
        assertThat(parse()).extracting(Endpoint::instance).containsOnly("c4");
        assertThat(logged).isEmpty();
    }

    @Test
    void linkLocalAndLoopbackAddressesAreNeverEndpoints() throws SourceException {
        assertThat(parse()).noneMatch(e -> e.prefix().address().isLinkLocalAddress()
                || e.prefix().address().isLoopbackAddress());
    }

    @Test
    void theCapturedInstancesAfterTheEventsParseToo() throws SourceException {
        assertThat(parser.endpoints(server, networks, metadata("instances-after-events.json")))
                .allMatch(e -> e.source().equals("lxd"));
    }
}
