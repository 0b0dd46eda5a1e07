package io.github.macvlanshim.runtime.source.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.docker.DockerEndpoints.Container;
import io.github.macvlanshim.runtime.source.docker.DockerEndpoints.Engine;
import io.github.macvlanshim.runtime.source.docker.DockerEndpoints.Kind;
import io.github.macvlanshim.runtime.source.docker.DockerEndpoints.Networks;
import io.github.macvlanshim.runtime.source.lxd.ProblemLog;

/** {@link DockerEndpoints} on what a real Docker 20.10 and a real Podman 4.3 answered (docker-json/README.md). */
class DockerEndpointsTest {

    private final List<String> problems = new ArrayList<>();
    private final DockerEndpoints parser = new DockerEndpoints(new ProblemLog(problems::add));

    @Test
    void theEngineIsToldFromItsVersionAnswer() throws SourceException {
        Engine docker = parser.engine(DockerFixtures.tree("version.json"));
        Engine podman = parser.engine(DockerFixtures.tree("podman/version.json"));

        assertThat(docker).isEqualTo(new Engine(Kind.DOCKER, "20.10.24+dfsg1", "1.41"));
        assertThat(docker).hasToString("Docker 20.10.24+dfsg1 (API 1.41)");
        assertThat(podman).isEqualTo(new Engine(Kind.PODMAN, "4.3.1", "1.41"));
        assertThat(DockerEndpoints.networksPath(docker)).isEqualTo("/networks");
        assertThat(DockerEndpoints.networksPath(podman)).isEqualTo("/v4.0.0/libpod/networks/json");
    }

    @Test
    void everyRunningContainerOnABridgeModeMacvlanNetworkGivesItsIpv4AndGlobalIpv6AsHostPrefixes()
            throws SourceException {
        List<String> endpoints = dockerEndpoints().stream().map(DockerEndpointsTest::shown).toList();

        assertThat(endpoints).containsExactlyInAnyOrder(
                "d1 mac0 eth0 198.51.100.101/32", "d1 mac0 eth0 2001:db8:100::101/128",
                "d2 mac0 eth0 198.51.100.160/32", "d2 mac0 eth0 2001:db8:100::2/128",
                "m1 mac0 eth0 198.51.100.102/32", "m1 mac0 eth0 2001:db8:100::3/128",
                "m1 other1 eth1 203.0.113.11/32", "o1 other1 eth1 203.0.113.10/32",
                "d3 mac20 eth0.20 192.0.2.10/32", "f1 fromcfg3 eth3 192.0.2.130/32", "s1 swnet eth4 192.0.2.194/32");
        assertThat(dockerEndpoints()).allSatisfy(endpoint -> {
            assertThat(endpoint.source()).isEqualTo("docker");
            assertThat(endpoint.project()).isEmpty();
        });
    }

    @Test
    void aSwarmNetworkMadeFromAConfigOnlyNetworkTakesItsParentFromThere() throws SourceException {
        Networks networks = parser.networks(parser.engine(DockerFixtures.tree("version.json")),
                DockerFixtures.tree("networks.json"));

        assertThat(networks.byName().get("swnet").parent()).isEqualTo("eth4");
        assertThat(networks.byName().get("swnet").id()).hasSize(25);
        assertThat(networks.byName().get("fromcfg3").parent()).isEqualTo("eth3");
        assertThat(networks.byName()).doesNotContainKeys("cfg3", "swcfg", "ingress", "none", "host", "docker_gwbridge");
    }

    @Test
    void aNetworkWhoseMacvlanModeIsNotBridgeIsSkippedWithOneLine() throws SourceException {
        dockerEndpoints();
        dockerEndpoints();

        assertThat(problems).containsExactly("Docker network priv2 on eth2 skipped: macvlan_mode is \"private\"; only"
                + " containers on a macvlan in bridge mode can reach the host through a shim");
    }

    @Test
    void inspectingOneContainerGivesItsEndpointsOrNoneWhenStopped() throws SourceException {
        Networks networks = dockerNetworks();

        Container d1 = parser.container(DockerFixtures.tree("container-d1.json"), networks).orElseThrow();
        Container m1 = parser.container(DockerFixtures.tree("container-m1.json"), networks).orElseThrow();
        Container x1 = parser.container(DockerFixtures.tree("container-x1-stopped.json"), networks).orElseThrow();

        assertThat(d1.name()).isEqualTo("d1");
        assertThat(d1.running()).isTrue();
        assertThat(d1.endpoints()).map(DockerEndpointsTest::shown).containsExactly("d1 mac0 eth0 198.51.100.101/32",
                "d1 mac0 eth0 2001:db8:100::101/128");
        assertThat(m1.endpoints()).map(DockerEndpointsTest::shown).contains("m1 other1 eth1 203.0.113.11/32");
        assertThat(x1.running()).isFalse();
        assertThat(x1.endpoints()).isEmpty();
        assertThat(d1.id()).hasSize(64);
    }

    @Test
    void podmanParentsComeFromItsOwnNetworkListingAndItsNetworkIdIsTheName() throws SourceException {
        Engine podman = parser.engine(DockerFixtures.tree("podman/version.json"));
        Networks networks = parser.networks(podman, DockerFixtures.tree("podman/networks-libpod.json"));

        List<String> endpoints = parser.endpoints(DockerFixtures.tree("podman/containers.json"), networks).stream()
                .map(DockerEndpointsTest::shown).toList();

        assertThat(endpoints).containsExactlyInAnyOrder("q1 pmac0 eth0 198.51.100.121/32",
                "q1 pmac0 eth0 2001:db8:100::121/128", "q2 pmac0 eth0 198.51.100.177/32", "q2 pmac0 eth0 2001:db8:100::2/128");
        assertThat(problems).containsExactly("Docker network ppriv2 on eth2 skipped: options.mode is \"private\"; only"
                + " containers on a macvlan in bridge mode can reach the host through a shim");
        assertThat(parser.container(DockerFixtures.tree("podman/container-q1.json"), networks).orElseThrow().endpoints())
                .hasSize(2);
        assertThat(parser.container(DockerFixtures.tree("podman/container-x2-stopped.json"), networks).orElseThrow()
                .running()).isFalse();
    }

    @Test
    void podmansCompatibleNetworkListingHasNoParentSoItGivesNoNetwork() throws SourceException {
        Engine docker = parser.engine(DockerFixtures.tree("version.json"));

        Networks networks = parser.networks(docker, DockerFixtures.tree("podman/networks-compat.json"));

        assertThat(networks.byName()).isEmpty();
    }

    @Test
    void theListingGivesTheNameOfEveryRunningContainerById() {
        assertThat(parser.names(DockerFixtures.tree("containers.json"))).hasSize(8).containsValues("d1", "s1", "m1");
    }

    @Test
    void aListingThatIsNotAnArrayIsRefusedNamingThePath() throws SourceException {
        Networks networks = dockerNetworks();

        assertThatThrownBy(() -> parser.endpoints(DockerFixtures.tree("version.json"), networks))
                .isInstanceOf(SourceException.class).hasMessage("GET /containers/json answered an object, expected an array of containers");
        assertThatThrownBy(() -> parser.engine(DockerFixtures.tree("containers.json")))
                .isInstanceOf(SourceException.class).hasMessageStartingWith("GET /version answered an array");
    }

    @Test
    void oneBadAddressCostsOnlyThatAddress() throws SourceException {
        Networks networks = dockerNetworks();
        var containers = DockerFixtures.tree("containers.json");
        for (var container : containers) {
            if (container.get("Names").get(0).asText().equals("/d1")) {
                ((ObjectNode) container.get("NetworkSettings").get("Networks").get("mac0")).put("IPAddress", "fe80::1");
            }
        }

        List<String> endpoints = parser.endpoints(containers, networks).stream().map(DockerEndpointsTest::shown).toList();

        assertThat(endpoints).contains("d1 mac0 eth0 2001:db8:100::101/128").doesNotContain("d1 mac0 eth0 198.51.100.101/32");
        assertThat(endpoints).hasSize(10);
        assertThat(problems).anyMatch(line -> line.startsWith("Docker container d1: NetworkSettings.Networks.mac0.IPAddress"
                + " is \"fe80::1\""));
    }

    private Networks dockerNetworks() throws SourceException {
        return parser.networks(parser.engine(DockerFixtures.tree("version.json")), DockerFixtures.tree("networks.json"));
    }

    private List<Endpoint> dockerEndpoints() throws SourceException {
        return parser.endpoints(DockerFixtures.tree("containers.json"), dockerNetworks());
    }

    private static String shown(Endpoint endpoint) {
        return endpoint.instance() + " " + endpoint.nic() + " " + endpoint.parent() + " " + endpoint.prefix();
    }
}
