package io.github.macvlanshim.runtime.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.StaticSource;

class DesiredStateBuilderTest {

    private static final ShimSpec MYNET = new ShimSpec("mynet", "eth0", Optional.empty(), Optional.empty(), List.of());
    private static final ShimSpec LAN2 = new ShimSpec("lan2", "eth1", Optional.empty(), Optional.empty(), List.of());
    private static final ShimSpec ADDRESSED = new ShimSpec("mynet", "eth0",
            Optional.of(IpLiterals.parseIpv4Only("198.51.100.72")), Optional.of(IpLiterals.parseIpv6Only("2001:db8:100::72")),
            List.of());

    @Test
    void eachEndpointIsRoutedThroughTheShimThatServesItsParent() {
        DesiredState desired = DesiredStateBuilder.build(List.of(MYNET, LAN2),
                List.of(lxd("c1", "eth0", "198.51.100.253"), lxd("c2", "eth1", "192.0.2.20")), true);

        assertThat(desired.routes()).containsExactly(
                new HostRoute(prefix("192.0.2.20"), "lan2", "lxd default/c2 eth0"),
                new HostRoute(prefix("198.51.100.253"), "mynet", "lxd default/c1 eth0"));
    }

    @Test
    void endpointOnAParentNoShimServesIsDropped() {
        DesiredState desired = DesiredStateBuilder.build(List.of(MYNET),
                List.of(lxd("c1", "eth0", "198.51.100.253"), lxd("c2", "eth7", "203.0.113.20")), true);

        assertThat(desired.routes()).extracting(HostRoute::destination).containsExactly(prefix("198.51.100.253"));
    }

    static Stream<Arguments> bothInputOrders() {
        Endpoint first = lxd("alpha", "eth0", "198.51.100.253");
        Endpoint second = lxd("beta", "eth0", "198.51.100.253");
        return Stream.of(Arguments.of(List.of(first, second)), Arguments.of(List.of(second, first)));
    }

    @ParameterizedTest
    @MethodSource("bothInputOrders")
    void prefixWantedTwiceIsRoutedOnceForTheEndpointFirstByOrigin(List<Endpoint> endpoints) {
        DesiredState desired = DesiredStateBuilder.build(List.of(MYNET), endpoints, true);

        assertThat(desired.routes()).containsExactly(
                new HostRoute(prefix("198.51.100.253"), "mynet", "lxd default/alpha eth0"));
    }

    @Test
    void routesAreOrderedByShimThenIpv4FirstThenPrefixText() {
        List<Endpoint> endpoints = new ArrayList<>(List.of(
                lxd("c1", "eth0", "2001:db8:100::253"),
                lxd("c2", "eth0", "198.51.100.254"),
                lxd("c3", "eth1", "2001:db8:200::20"),
                lxd("c4", "eth0", "198.51.100.0/26"),
                lxd("c5", "eth1", "192.0.2.20")));

        DesiredState desired = DesiredStateBuilder.build(List.of(MYNET, LAN2), endpoints, true);

        assertThat(desired.routes()).extracting(route -> route.shim() + " " + route.destination()).containsExactly(
                "lan2 192.0.2.20/32",
                "lan2 2001:db8:200::20/128",
                "mynet 198.51.100.0/26",
                "mynet 198.51.100.254/32",
                "mynet 2001:db8:100::253/128");
    }

    @ParameterizedTest
    @ValueSource(strings = { "198.51.100.72", "2001:db8:100::72" })
    void shimsOwnAddressIsNeverRoutedAway(String ownAddress) {
        DesiredState desired = DesiredStateBuilder.build(List.of(ADDRESSED),
                List.of(lxd("c1", "eth0", ownAddress), lxd("c2", "eth0", "198.51.100.253")), true);

        assertThat(desired.routes()).extracting(HostRoute::destination).containsExactly(prefix("198.51.100.253"));
    }

    @Test
    void prefixThatMerelyContainsTheShimsAddressIsStillRouted() {
        DesiredState desired = DesiredStateBuilder.build(List.of(ADDRESSED),
                List.of(lxd("c1", "eth0", "198.51.100.64/26")), true);

        assertThat(desired.routes()).extracting(HostRoute::destination).containsExactly(prefix("198.51.100.64/26"));
    }

    @Test
    void staticRoutesBecomeRoutesThroughTheirShim() {
        ShimSpec withStatic = new ShimSpec("mynet", "eth0", Optional.empty(), Optional.empty(),
                List.of(prefix("198.51.100.192/27")));

        DesiredState desired = DesiredStateBuilder.build(List.of(withStatic),
                new StaticSource(List.of(withStatic)).snapshot(), true);

        assertThat(desired.routes()).containsExactly(new HostRoute(prefix("198.51.100.192/27"), "mynet", "static mynet"));
    }

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void shimsAndPruneAllowedAreCarriedThrough(boolean pruneAllowed) {
        DesiredState desired = DesiredStateBuilder.build(List.of(LAN2, MYNET), List.of(), pruneAllowed);

        assertThat(desired.shims()).containsExactly(LAN2, MYNET);
        assertThat(desired.routes()).isEmpty();
        assertThat(desired.pruneAllowed()).isEqualTo(pruneAllowed);
    }

    private static Endpoint lxd(String instance, String parent, String prefix) {
        return new Endpoint("lxd", "default", instance, "eth0", parent, prefix(prefix));
    }

    private static IpPrefix prefix(String text) {
        return IpPrefix.parse(text);
    }
}
