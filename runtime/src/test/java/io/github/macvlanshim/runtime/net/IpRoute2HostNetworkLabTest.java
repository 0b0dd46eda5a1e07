package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Lab;

/** Against a real kernel, inside a fresh lab per test. Needs root. */
@Tag("lab")
class IpRoute2HostNetworkLabTest {

    private static final int PROTO = 77;
    private static final String CONTAINER_V4 = "198.51.100.253";
    private static final String CONTAINER_V6 = "2001:db8:100::253";

    private Lab lab;
    private String container;
    private IpRoute2HostNetwork network;

    @BeforeAll
    static void sweep() {
        Lab.sweepStale();
    }

    @BeforeEach
    void createLab() {
        lab = Lab.create();
        container = lab.addContainer("c1", CONTAINER_V4, CONTAINER_V6);
        network = new IpRoute2HostNetwork(Optional.of(lab.hostNetns()));
    }

    @AfterEach
    void closeLab() {
        lab.close();
    }

    private static InetAddress ip(String text) {
        return IpLiterals.parse(text);
    }

    private static List<Change> shimPlan() {
        return List.of(
                new Change.CreateShim("mynet", "eth0", 1500),
                new Change.AddAddress("mynet", ip("198.51.100.72"), 32),
                new Change.EnableProxyNdp("mynet"),
                new Change.SetUp("mynet"),
                new Change.AddProxyNeighbour("mynet", IpLiterals.parseIpv6Only(Lab.HOST_IPV6)),
                new Change.AddRoute("mynet", IpPrefix.parse(CONTAINER_V4), Optional.of(ip("198.51.100.72")), "lxd c1", false),
                new Change.AddRoute("mynet", IpPrefix.parse(CONTAINER_V6), Optional.of(ip(Lab.HOST_IPV6)), "lxd c1", false));
    }

    @Test
    void readsAFreshHostNamespace() throws HostNetworkException {
        NetworkState state = network.read();

        Link eth0 = state.link("eth0").orElseThrow();
        assertThat(eth0.kind()).contains("veth");
        assertThat(eth0.adminUp()).isTrue();
        assertThat(eth0.globalAddresses()).extracting(LinkAddress::toString)
                .containsExactlyInAnyOrder("198.51.100.62/24", "2001:db8:100::62/64");
        assertThat(state.links()).containsOnlyKeys("lo", "eth0");
        assertThat(state.routes()).extracting(KernelRoute::toString).contains(
                "0.0.0.0/0 via 198.51.100.1 dev eth0 proto 3",
                "198.51.100.0/24 dev eth0 proto 2 src 198.51.100.62",
                "::/0 via 2001:db8:100::1 dev eth0 proto 3 metric 1024",
                "2001:db8:100::/64 dev eth0 proto 2 metric 256");
        assertThat(state.proxyNeighbours()).isEmpty();
    }

    @Test
    void theShimPlanMakesHostAndContainerReachEachOtherInBothFamilies() throws HostNetworkException {
        assertThat(lab.ping(lab.hostNetns(), CONTAINER_V4)).as("host -> container before the plan").isFalse();
        assertThat(lab.ping(container, Lab.HOST_IPV6)).as("container -> host before the plan").isFalse();

        network.apply(shimPlan(), PROTO);

        NetworkState state = network.read();
        Link shim = state.link("mynet").orElseThrow();
        assertThat(shim.isMacvlanBridgeOn("eth0")).isTrue();
        assertThat(shim.adminUp()).isTrue();
        assertThat(shim.mtu()).isEqualTo(1500);
        assertThat(shim.ipv6Forwarding()).isTrue();
        assertThat(shim.ipv6ProxyNdp()).isTrue();
        assertThat(shim.globalAddresses()).extracting(LinkAddress::toString).containsExactly("198.51.100.72/32");
        assertThat(state.proxyNeighbours()).containsExactly(new ProxyNeighbour(IpLiterals.parseIpv6Only(Lab.HOST_IPV6), "mynet"));
        assertThat(state.routes()).filteredOn(r -> r.device().equals(Optional.of("mynet")) && r.destination().isHost())
                .extracting(KernelRoute::toString)
                .containsExactlyInAnyOrder("198.51.100.253/32 dev mynet proto 77 src 198.51.100.72",
                        "2001:db8:100::253/128 dev mynet proto 77 src 2001:db8:100::62 metric 1024");

        Duration patience = Duration.ofSeconds(3);
        assertThat(lab.awaitPing(lab.hostNetns(), CONTAINER_V4, patience)).as("host -> container v4").isTrue();
        assertThat(lab.awaitPing(lab.hostNetns(), CONTAINER_V6, patience)).as("host -> container v6").isTrue();
        assertThat(lab.awaitPing(container, Lab.HOST_IPV4, patience)).as("container -> host v4").isTrue();
        assertThat(lab.awaitPing(container, Lab.HOST_IPV6, patience)).as("container -> host v6").isTrue();
    }

    @Test
    void deletingAnOwnedRouteNeverDeletesAForeignRouteToTheSameDestination() throws HostNetworkException {
        network.apply(List.of(new Change.CreateShim("mynet", "eth0", 1500), new Change.SetUp("mynet")), PROTO);
        lab.ip(lab.hostNetns(), "route", "add", "192.0.2.9/32", "dev", "mynet", "proto", "static");

        Change delete = new Change.DeleteRoute("mynet", IpPrefix.parse("192.0.2.9"), 0);
        assertThat(network.apply(List.of(delete), PROTO)).singleElement().satisfies(refusal -> {
            assertThat(refusal.change()).isEqualTo(delete);
            assertThat(refusal.reason()).contains("route del 192.0.2.9/32 dev mynet proto 77 table main");
        });

        assertThat(network.read().routes()).extracting(KernelRoute::toString).contains("192.0.2.9/32 dev mynet proto 4");
    }

    @Test
    void deletingOwnedRoutesAndTheShimRemovesThem() throws HostNetworkException {
        network.apply(shimPlan(), PROTO);
        network.apply(List.of(
                new Change.DeleteRoute("mynet", IpPrefix.parse(CONTAINER_V4), 0),
                new Change.DeleteRoute("mynet", IpPrefix.parse(CONTAINER_V6), 1024),
                new Change.DeleteProxyNeighbour("mynet", IpLiterals.parseIpv6Only(Lab.HOST_IPV6)),
                new Change.DeleteAddress("mynet", ip("198.51.100.72"), 32)), PROTO);
        NetworkState state = network.read();
        assertThat(state.routes()).noneMatch(r -> r.device().equals(Optional.of("mynet")) && r.destination().isHost());
        assertThat(state.proxyNeighbours()).isEmpty();
        assertThat(state.link("mynet").orElseThrow().globalAddresses()).isEmpty();

        network.apply(List.of(new Change.DeleteShim("mynet")), PROTO);
        assertThat(network.read().link("mynet")).isEmpty();
    }

    @Test
    void aRefusedLineIsReturnedWithTheKernelsReasonAndTheLinesAfterItStillRun() throws HostNetworkException {
        lab.ip(lab.hostNetns(), "route", "add", "blackhole", "192.0.2.11/32", "proto", "static");
        List<Change> plan = List.of(
                new Change.CreateShim("mynet", "eth0", 1500),
                new Change.SetUp("mynet"),
                new Change.AddRoute("mynet", IpPrefix.parse("192.0.2.10"), Optional.empty(), "static", false),
                new Change.AddRoute("mynet", IpPrefix.parse("192.0.2.11"), Optional.empty(), "static", false),
                new Change.AddRoute("mynet", IpPrefix.parse("192.0.2.12"), Optional.empty(), "static", false),
                new Change.AddAddress("mynet", ip("198.51.100.72"), 32));

        List<Refusal> refused = network.apply(plan, PROTO);

        assertThat(refused).singleElement().satisfies(refusal -> {
            assertThat(refusal.change()).isEqualTo(plan.get(3));
            assertThat(refusal.reason()).contains("File exists")
                    .contains("ip batch line 4: 'route add 192.0.2.11/32 dev mynet proto 77'");
        });
        NetworkState state = network.read();
        assertThat(state.routes()).extracting(KernelRoute::toString).contains("192.0.2.10/32 dev mynet proto 77",
                "192.0.2.12/32 dev mynet proto 77", "blackhole 192.0.2.11/32 proto 4");
        assertThat(state.link("mynet").orElseThrow().globalAddresses()).as("the lines after the refusal ran").isNotEmpty();
    }

    @Test
    void aRouteThroughAShimThatIsStillDownIsRefusedByTheKernel() throws HostNetworkException {
        assertThat(network.apply(List.of(new Change.CreateShim("mynet", "eth0", 1500),
                new Change.AddRoute("mynet", IpPrefix.parse("192.0.2.10"), Optional.empty(), "static", false)), PROTO))
                .singleElement().satisfies(refusal -> assertThat(refusal.reason())
                        .contains("Device for nexthop is not up").contains("ip batch line 2"));
    }

    @Test
    void anEmptyPlanStartsNothing() throws HostNetworkException {
        new IpRoute2HostNetwork(Optional.of("msl-does-not-exist")).apply(List.of(), PROTO);
    }

    @Test
    void anInvalidNameIsRefusedBeforeAnythingRuns() throws HostNetworkException {
        assertThatThrownBy(() -> network.apply(List.of(new Change.CreateShim("mynet", "eth0", 1500),
                new Change.SetUp("-all")), PROTO))
                .isInstanceOf(HostNetworkException.class)
                .hasMessageContaining("nothing was changed")
                .hasMessageContaining("'-all'");
        assertThat(network.read().link("mynet")).isEmpty();
    }

    @Test
    void aMissingNamespaceFailsNamingTheCommand() {
        assertThatThrownBy(() -> new IpRoute2HostNetwork(Optional.of("msl-does-not-exist")).read())
                .isInstanceOf(HostNetworkException.class)
                .hasMessageContaining("'ip -n msl-does-not-exist -N -d -j -batch -' exited with")
                .hasMessageContaining("Cannot open network namespace");
    }
}
