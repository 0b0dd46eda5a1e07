package io.github.macvlanshim.runtime.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Named.named;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.macvlanshim.runtime.net.Change;
import io.github.macvlanshim.runtime.net.Change.AddAddress;
import io.github.macvlanshim.runtime.net.Change.AddProxyNeighbour;
import io.github.macvlanshim.runtime.net.Change.AddRoute;
import io.github.macvlanshim.runtime.net.Change.CreateShim;
import io.github.macvlanshim.runtime.net.Change.DeleteAddress;
import io.github.macvlanshim.runtime.net.Change.DeleteProxyNeighbour;
import io.github.macvlanshim.runtime.net.Change.DeleteRoute;
import io.github.macvlanshim.runtime.net.Change.DeleteShim;
import io.github.macvlanshim.runtime.net.Change.EnableProxyNdp;
import io.github.macvlanshim.runtime.net.Change.MarkShim;
import io.github.macvlanshim.runtime.net.Change.SetMac;
import io.github.macvlanshim.runtime.net.Change.SetUp;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.KernelRoute;
import io.github.macvlanshim.runtime.net.Link;
import io.github.macvlanshim.runtime.net.LinkAddress;
import io.github.macvlanshim.runtime.net.LinkAddress.Scope;
import io.github.macvlanshim.runtime.net.NetworkState;
import io.github.macvlanshim.runtime.net.ProxyNeighbour;
import io.github.macvlanshim.runtime.net.SimulatedKernel;

class PlannerTest {

    private static final int OURS = 77;
    private static final int BOOT = 3;
    private static final int STATIC = 4;
    private static final int KERNEL = 2;
    private static final Planner PLANNER = new Planner(OURS);
    private static final String MARKER = "macvlan-shim:proto=" + OURS;

    private static final String ORIGIN = "lxd default/c1 eth0";
    /** The host's own addresses on eth0, and a container's on a macvlan child of eth0. */
    private static final String HOST4 = "198.51.100.62";
    private static final String HOST6 = "2001:db8:100::62";
    private static final String SHIM4 = "198.51.100.72";
    private static final String SHIM6 = "2001:db8:100::72";
    private static final String C4 = "198.51.100.253/32";
    private static final String C6 = "2001:db8:100::253/128";
    private static final String GONE4 = "198.51.100.254/32";

    private static final ShimSpec ADDRESSED = shim("mynet", "eth0", SHIM4, SHIM6);
    private static final ShimSpec ADDRESS_LESS = shim("mynet", "eth0", null, null);
    private static final ShimSpec LAN2 = shim("lan2", "eth1", "192.0.2.72", null);

    // ---- the whole plan --------------------------------------------------------------------------------

    @Test
    void freshHostGetsTheShimItsAddressesProxyNdpAndRoutesInOrder() {
        Plan plan = PLANNER.plan(desired(ADDRESSED, C4, C6), freshHost());

        assertThat(plan.changes()).containsExactly(
                new CreateShim("mynet", "eth0", 1500),
                new MarkShim("mynet", MARKER),
                new EnableProxyNdp("mynet"),
                new AddAddress("mynet", ip(SHIM4), 32),
                new AddAddress("mynet", ip(SHIM6), 128),
                new SetUp("mynet"),
                new AddProxyNeighbour("mynet", ip6(HOST6)),
                new AddRoute("mynet", prefix(C4), Optional.of(ip(SHIM4)), ORIGIN, false),
                new AddRoute("mynet", prefix(C6), Optional.of(ip(SHIM6)), ORIGIN, false));
        assertThat(plan.conflicts()).isEmpty();
    }

    @Test
    void freshHostInAddressLessModeRoutesFromTheParentsOwnAddresses() {
        Plan plan = PLANNER.plan(desired(ADDRESS_LESS, C4, C6), freshHost());

        assertThat(plan.changes()).containsExactly(
                new CreateShim("mynet", "eth0", 1500),
                new MarkShim("mynet", MARKER),
                new EnableProxyNdp("mynet"),
                new SetUp("mynet"),
                new AddProxyNeighbour("mynet", ip6(HOST6)),
                new AddRoute("mynet", prefix(C4), Optional.of(ip(HOST4)), ORIGIN, false),
                new AddRoute("mynet", prefix(C6), Optional.of(ip(HOST6)), ORIGIN, false));
    }

    static Stream<Arguments> convergedHosts() {
        return Stream.of(
                Arguments.of(named("addressed", ADDRESSED), convergedAddressed()),
                Arguments.of(named("address-less", ADDRESS_LESS), convergedAddressLess()));
    }

    @ParameterizedTest
    @MethodSource("convergedHosts")
    void convergedHostGetsAnEmptyPlan(ShimSpec shim, NetworkState converged) {
        Plan plan = PLANNER.plan(desired(shim, C4, C6), converged);

        assertThat(plan.changes()).isEmpty();
        assertThat(plan.conflicts()).isEmpty();
    }

    @Test
    void shimChangesComeFirstThenRouteDeletesThenRouteAdds() {
        NetworkState shimWentDown = withoutRoutesOn(replaceLink(convergedAddressed(), "mynet", PlannerTest::down),
                "mynet");
        NetworkState host = withRoutes(shimWentDown, owned(GONE4, "eth0", null));

        Plan plan = PLANNER.plan(desired(ADDRESSED, C4, C6), host);

        assertThat(plan.changes()).containsExactly(
                new SetUp("mynet"),
                new DeleteRoute("eth0", prefix(GONE4), 0),
                new AddRoute("mynet", prefix(C4), Optional.of(ip(SHIM4)), ORIGIN, false),
                new AddRoute("mynet", prefix(C6), Optional.of(ip(SHIM6)), ORIGIN, false));
    }

    // ---- idempotence -----------------------------------------------------------------------------------

    static Stream<Arguments> startingStates() {
        return Stream.of(
                idempotence("fresh host, addressed", desired(ADDRESSED, C4, C6), freshHost()),
                idempotence("fresh host, address-less", desired(ADDRESS_LESS, C4, C6), freshHost()),
                idempotence("fresh host, parent without IPv6", desired(ADDRESS_LESS, C4, C6),
                        host(physical("eth0", 2, global(HOST4 + "/24")))),
                idempotence("fresh host, IPv6 only", desired(shim("mynet", "eth0", null, SHIM6), C6),
                        host(physical("eth0", 2, global(HOST6 + "/64"), linkLocal("fe80::62/64")))),
                idempotence("shim down", desired(ADDRESSED, C4, C6),
                        withoutRoutesOn(replaceLink(convergedAddressed(), "mynet", PlannerTest::down), "mynet")),
                idempotence("address lost", desired(ADDRESSED, C4, C6),
                        withoutRoutesTo(replaceLink(convergedAddressed(), "mynet",
                                link -> withAddresses(link, global(SHIM6 + "/128"), linkLocal("fe80::72/64"))), C4)),
                idempotence("shim deleted with its routes, other shim intact",
                        new DesiredState(List.of(ADDRESSED, LAN2), List.of(route(C4, "mynet"), route(C6, "mynet"),
                                route("192.0.2.20/32", "lan2")), true),
                        twoShimsWithMynetDeleted()),
                idempotence("stale owned routes", desired(ADDRESSED, C4, C6),
                        withRoutes(convergedAddressed(), owned(GONE4, "mynet", SHIM4),
                                owned("203.0.113.0/24", "eth0", null, 10))),
                idempotence("stale owned routes, prune not allowed",
                        new DesiredState(List.of(ADDRESSED), List.of(route(C4, "mynet")), false),
                        withRoutes(freshHost(), owned(GONE4, "eth0", null))),
                idempotence("foreign routes present", desired(ADDRESSED, C4, C6),
                        withRoutes(freshHost(), foreign(C4, "eth0", null, BOOT, 0),
                                foreign("203.0.113.9/32", "eth0", null, STATIC, 0))),
                idempotence("shim address changed, stale routes from the old one",
                        desired(shim("mynet", "eth0", "198.51.100.73", SHIM6), C4, C6),
                        withRoutes(convergedAddressed(), owned(GONE4, "mynet", SHIM4))),
                idempotence("owned routes on another device or source", desired(ADDRESSED, C4, C6),
                        withRoutes(withoutRoutesTo(convergedAddressed(), C4, C6), owned(C4, "eth0", HOST4),
                                owned(C6, "mynet", HOST6))),
                idempotence("owned duplicates at several metrics", desired(ADDRESSED, C4, C6),
                        withRoutes(withoutRoutesTo(convergedAddressed(), C4, C6), owned(C4, "mynet", SHIM4, 0),
                                owned(C4, "mynet", null, 50), owned(C6, "eth0", null, 1024),
                                owned(C6, "eth0", null, 200))),
                idempotence("owned route only at another metric", desired(ADDRESSED, C4),
                        withRoutes(freshHost(), owned(C4, "eth0", null, 50))),
                idempotence("stray addresses, proxies and sysctls", desired(ADDRESSED, C4, C6),
                        withProxies(replaceLink(convergedAddressed(), "mynet", link -> SimulatedKernel.withIpv6Sysctls(withAddresses(link,
                                global("198.51.100.99/24"), global(SHIM4 + "/24"), global("2001:db8:100::99/64"),
                                linkLocal("fe80::72/64")), false)),
                                new ProxyNeighbour(ip6("2001:db8:100::99"), "mynet"))),
                idempotence("addressed shim switched to address-less", desired(ADDRESS_LESS, C4, C6),
                        convergedAddressed()),
                idempotence("address-less shim switched to addressed", desired(ADDRESSED, C4, C6),
                        convergedAddressLess()),
                idempotence("foreign interface and missing parent beside a good shim",
                        new DesiredState(List.of(ADDRESSED, LAN2, shim("lan3", "eth9", null, null)),
                                List.of(route(C4, "mynet"), route("192.0.2.20/32", "lan2"),
                                        route("203.0.113.20/32", "lan3")), true),
                        host(eth0(), physical("eth1", 3, global("192.0.2.10/24")),
                                new Link("lan2", 9, Optional.of("veth"), Optional.empty(), Optional.empty(), 1500, true,
                                        List.of(), false, false))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("startingStates")
    void planningTheStateAPlanLeadsToGivesAnEmptyPlan(String startingState, DesiredState desired, NetworkState host) {
        Plan first = PLANNER.plan(desired, host);
        NetworkState applied = SimulatedKernel.afterApplying(host, first.changes(), OURS);

        Plan second = PLANNER.plan(desired, applied);

        assertThat(first.changes()).as("the starting state needs work").isNotEmpty();
        assertThat(second.changes()).isEmpty();
        assertThat(second.conflicts()).isEqualTo(first.conflicts());
    }

    // ---- shims -----------------------------------------------------------------------------------------

    @Test
    void missingParentIsAConflictAndItsShimAndRoutesAreLeftAlone() {
        DesiredState desired = new DesiredState(List.of(LAN2, ADDRESSED),
                List.of(route("192.0.2.20/32", "lan2"), route(C4, "mynet")), true);
        NetworkState host = withRoutes(freshHost(), owned("192.0.2.20/32", "eth0", null));

        Plan plan = PLANNER.plan(desired, host);

        assertThat(plan.conflicts()).containsExactly(
                new Conflict("lan2", Conflict.Kind.MISSING_PARENT, "eth1",
                        "parent eth1 missing: no interface of that name exists; the shim follows when it appears"));
        assertThat(plan.changes()).extracting(Change::shim).containsOnly("mynet");
    }

    static Stream<Arguments> foreignInterfaces() {
        return Stream.of(
                Arguments.of(named("veth", new Link("mynet", 7, Optional.of("veth"), Optional.empty(),
                        Optional.empty(), 1500, true, List.of(), false, false)), "veth"),
                Arguments.of(named("macvlan on another parent", macvlan("mynet", "eth1", "bridge")),
                        "macvlan (mode bridge) on eth1"),
                Arguments.of(named("macvlan in private mode", macvlan("mynet", "eth0", "private")),
                        "macvlan (mode private) on eth0"),
                Arguments.of(named("device without link kind", physical("mynet", 7)), "a device without link kind"),
                Arguments.of(named("unmarked macvlan bridge without our routes", macvlan("mynet", "eth0", "bridge")),
                        "macvlan (mode bridge) on eth0"),
                Arguments.of(named("macvlan bridge marked by an engine of another protocol",
                        macvlan("mynet", "eth0", "bridge").withAlias(Optional.of("macvlan-shim:proto=78"))),
                        "macvlan (mode bridge) on eth0 (alias 'macvlan-shim:proto=78')"),
                Arguments.of(named("macvlan bridge with someone else's alias",
                        macvlan("mynet", "eth0", "bridge").withAlias(Optional.of("uplink to the lab"))),
                        "macvlan (mode bridge) on eth0 (alias 'uplink to the lab')"));
    }

    @ParameterizedTest
    @MethodSource("foreignInterfaces")
    void interfaceNamedLikeTheShimButNotOursIsAConflictAndNothingIsChangedForIt(Link foreign, String described) {
        NetworkState host = withRoutes(host(eth0(), physical("eth1", 3), foreign), owned(C4, "eth0", null, 0));

        Plan plan = PLANNER.plan(desired(ADDRESSED, C4, C6), host);

        assertThat(plan.changes()).isEmpty();
        assertThat(plan.conflicts()).containsExactly(new Conflict("mynet", Conflict.Kind.FOREIGN_INTERFACE, "mynet",
                "interface mynet exists as " + described + ", not a macvlan in bridge mode on eth0 marked as ours; left alone"));
    }

    @Test
    void anUnmarkedShimOfAnOlderVersionWithOurRoutesThroughItIsAdoptedByMarkingItAndNothingElse() {
        NetworkState host = replaceLink(convergedAddressed(), "mynet", link -> link.withAlias(Optional.empty()));

        Plan plan = PLANNER.plan(desired(ADDRESSED, C4, C6), host);

        assertThat(plan.changes()).containsExactly(new MarkShim("mynet", MARKER));
        assertThat(plan.conflicts()).isEmpty();
        assertThat(PLANNER.plan(desired(ADDRESSED, C4, C6),
                SimulatedKernel.afterApplying(host, plan.changes(), OURS)).changes()).isEmpty();
    }

    @Test
    void aShimWithAStableMacIsCreatedWithItAndAShimWithAnotherMacGetsIt() {
        ShimSpec withMac = ADDRESSED.withMac(Optional.of("02:aa:bb:cc:dd:ee"));

        assertThat(PLANNER.plan(desired(withMac, C4, C6), freshHost()).changes()).first()
                .isEqualTo(new CreateShim("mynet", "eth0", 1500, Optional.of("02:aa:bb:cc:dd:ee")));
        NetworkState otherMac = replaceLink(convergedAddressed(), "mynet",
                link -> link.withMac("02:00:00:00:00:01"));
        assertThat(PLANNER.plan(desired(withMac, C4, C6), otherMac).changes())
                .containsExactly(new SetMac("mynet", "02:aa:bb:cc:dd:ee"));
        NetworkState sameMac = replaceLink(convergedAddressed(), "mynet",
                link -> link.withMac("02:aa:bb:cc:dd:ee"));
        assertThat(PLANNER.plan(desired(withMac, C4, C6), sameMac).changes()).isEmpty();
    }

    static Stream<KernelRoute.Type> routeTypesInTheWay() {
        return Stream.of(KernelRoute.Type.BLACKHOLE, KernelRoute.Type.UNREACHABLE, KernelRoute.Type.PROHIBIT,
                KernelRoute.Type.THROW, KernelRoute.Type.UNICAST);
    }

    @ParameterizedTest
    @MethodSource("routeTypesInTheWay")
    void aForeignRouteOfAnyTypeToOneWantedAddressIsAConflictAndTheOtherRoutesAreStillAdded(KernelRoute.Type type) {
        KernelRoute inTheWay = new KernelRoute(prefix(C4), Optional.empty(), Optional.empty(), Optional.empty(), STATIC, 0,
                type);
        NetworkState host = withRoutes(addLinks(freshHost(), shimLink("mynet", "eth0", global(SHIM4 + "/32"),
                global(SHIM6 + "/128"), linkLocal("fe80::72/64"))), inTheWay);
        host = withProxies(host, new ProxyNeighbour(ip6(HOST6), "mynet"));

        Plan plan = PLANNER.plan(desired(ADDRESSED, C4, C6, GONE4), host);

        assertThat(plan.changes()).containsExactly(
                new AddRoute("mynet", prefix(C6), Optional.of(ip(SHIM6)), ORIGIN, false),
                new AddRoute("mynet", prefix(GONE4), Optional.of(ip(SHIM4)), ORIGIN, false));
        assertThat(plan.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.kind()).isEqualTo(Conflict.Kind.FOREIGN_ROUTE);
            assertThat(conflict.detail()).contains(inTheWay.toString());
        });
        if (type != KernelRoute.Type.UNICAST) {
            assertThat(inTheWay.toString()).startsWith(type.word() + " " + C4);
        }
    }

    @Test
    void anOwnedRouteOfAnotherTypeIsReplacedByTheUnicastRouteWanted() {
        KernelRoute ownBlackhole = new KernelRoute(prefix(C4), Optional.empty(), Optional.empty(), Optional.empty(), OURS,
                0, KernelRoute.Type.BLACKHOLE);
        NetworkState host = withRoutes(withoutRoutesTo(convergedAddressed(), C4), ownBlackhole);

        assertThat(PLANNER.plan(desired(ADDRESSED, C4, C6), host).changes())
                .containsExactly(new AddRoute("mynet", prefix(C4), Optional.of(ip(SHIM4)), ORIGIN, true));
    }

    @Test
    void shimThatIsDownIsSetUp() {
        NetworkState host = replaceLink(convergedAddressed(), "mynet", PlannerTest::down);

        assertThat(PLANNER.plan(desired(ADDRESSED, C4, C6), host).changes()).containsExactly(new SetUp("mynet"));
    }

    static Stream<Arguments> ipv6Sysctls() {
        return Stream.of(Arguments.of(false, true), Arguments.of(true, false), Arguments.of(false, false));
    }

    @ParameterizedTest(name = "forwarding={0} proxy_ndp={1}")
    @MethodSource("ipv6Sysctls")
    void proxyNdpIsEnabledWhenForwardingOrProxyNdpIsOff(boolean forwarding, boolean proxyNdp) {
        NetworkState host = replaceLink(convergedAddressed(), "mynet", link -> new Link(link.name(), link.index(),
                link.kind(), link.macvlanMode(), link.parent(), link.mtu(), link.adminUp(), link.addresses(),
                forwarding, proxyNdp, link.mac(), link.carrier(), link.alias()));

        assertThat(PLANNER.plan(desired(ADDRESSED, C4, C6), host).changes())
                .containsExactly(new EnableProxyNdp("mynet"));
    }

    @Test
    void extraGlobalAddressesOnTheShimAreDeletedAndLinkLocalIsKept() {
        NetworkState host = replaceLink(convergedAddressed(), "mynet", link -> withAddresses(link,
                global(SHIM4 + "/32"), global("198.51.100.99/24"), global(SHIM6 + "/128"),
                global("2001:db8:100::99/64"), linkLocal("fe80::72/64"), new LinkAddress(ip("127.0.0.2"), 8,
                        Scope.HOST, false)));

        assertThat(PLANNER.plan(desired(ADDRESSED, C4, C6), host).changes()).containsExactly(
                new DeleteAddress("mynet", ip("198.51.100.99"), 24),
                new DeleteAddress("mynet", ip("2001:db8:100::99"), 64));
    }

    @Test
    void configuredAddressWithAnotherPrefixLengthIsReplacedAndTheRoutesFromItPutBack() {
        NetworkState host = replaceLink(convergedAddressed(), "mynet",
                link -> withAddresses(link, global(SHIM4 + "/24"), global(SHIM6 + "/64")));

        assertThat(PLANNER.plan(desired(ADDRESSED, C4, C6), host).changes()).containsExactly(
                new DeleteAddress("mynet", ip(SHIM4), 24),
                new DeleteAddress("mynet", ip(SHIM6), 64),
                new AddAddress("mynet", ip(SHIM4), 32),
                new AddAddress("mynet", ip(SHIM6), 128),
                // The kernel drops IPv4 routes whose source address goes, and strips it from IPv6 ones.
                new AddRoute("mynet", prefix(C4), Optional.of(ip(SHIM4)), ORIGIN, false),
                new AddRoute("mynet", prefix(C6), Optional.of(ip(SHIM6)), ORIGIN, true));
    }

    @Test
    void missingConfiguredAddressesAreAdded() {
        NetworkState host = replaceLink(convergedAddressed(), "mynet",
                link -> withAddresses(link, linkLocal("fe80::72/64")));

        assertThat(PLANNER.plan(desired(ADDRESSED, C4, C6), host).changes()).containsExactly(
                new AddAddress("mynet", ip(SHIM4), 32),
                new AddAddress("mynet", ip(SHIM6), 128));
    }

    @Test
    void addressLessShimKeepsNoGlobalAddress() {
        assertThat(PLANNER.plan(desired(ADDRESS_LESS), convergedAddressed()).changes())
                .startsWith(new DeleteAddress("mynet", ip(SHIM4), 32), new DeleteAddress("mynet", ip(SHIM6), 128));
    }

    @Test
    void proxyNdpCoversExactlyTheParentsGlobalIpv6Addresses() {
        NetworkState host = withProxies(
                replaceLink(withoutProxies(convergedAddressed()), "eth0", link -> withAddresses(link,
                        global(HOST4 + "/24"), global(HOST6 + "/64"), global("2001:db8:100::63/64"),
                        linkLocal("fe80::62/64"))),
                new ProxyNeighbour(ip6(HOST6), "mynet"),
                new ProxyNeighbour(ip6("2001:db8:100::99"), "mynet"),
                new ProxyNeighbour(ip6("2001:db8:100::63"), "eth1"));

        assertThat(PLANNER.plan(desired(ADDRESSED, C4, C6), host).changes()).containsExactly(
                new AddProxyNeighbour("mynet", ip6("2001:db8:100::63")),
                new DeleteProxyNeighbour("mynet", ip6("2001:db8:100::99")));
    }

    // ---- route source ----------------------------------------------------------------------------------

    static Stream<Arguments> routeSources() {
        Link parentWithoutIpv6 = physical("eth0", 2, global(HOST4 + "/24"), linkLocal("fe80::62/64"));
        Link parentWithTentativeFirst = physical("eth0", 2, global(HOST4 + "/24"),
                new LinkAddress(ip("2001:db8:100::61"), 64, Scope.GLOBAL, true), global(HOST6 + "/64"));
        return Stream.of(
                Arguments.of("addressed, IPv4: the shim's address", ADDRESSED, eth0(), C4, SHIM4),
                Arguments.of("addressed, IPv6: the shim's address", ADDRESSED, eth0(), C6, SHIM6),
                Arguments.of("address-less, IPv4: the parent's", ADDRESS_LESS, eth0(), C4, HOST4),
                Arguments.of("address-less, IPv6: the parent's", ADDRESS_LESS, eth0(), C6, HOST6),
                Arguments.of("IPv4 address only, IPv6: the parent's", shim("mynet", "eth0", SHIM4, null), eth0(), C6,
                        HOST6),
                Arguments.of("IPv6 address only, IPv4: the parent's", shim("mynet", "eth0", null, SHIM6), eth0(), C4,
                        HOST4),
                Arguments.of("address-less, parent without IPv6: none", ADDRESS_LESS, parentWithoutIpv6, C6, null),
                Arguments.of("address-less, tentative parent address: the settled one", ADDRESS_LESS,
                        parentWithTentativeFirst, C6, HOST6));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeSources")
    void routeSourceIsTheShimsAddressElseTheParentsPrimaryAddress(String rule, ShimSpec shim, Link parent,
            String destination, String expectedSource) {
        Plan plan = PLANNER.plan(desired(shim, destination), host(parent));

        assertThat(plan.changes()).last()
                .isEqualTo(new AddRoute("mynet", prefix(destination), optionalIp(expectedSource), ORIGIN, false));
    }

    // ---- routes ----------------------------------------------------------------------------------------

    static Stream<Arguments> foreignRoutesToAWantedDestination() {
        return Stream.of(
                Arguments.of(named("via a gateway, proto boot", foreign(C4, "eth0", "198.51.100.1", BOOT, 0))),
                Arguments.of(named("on the shim itself, proto static", foreign(C4, "mynet", null, STATIC, 0))),
                Arguments.of(named("at another metric, proto kernel", foreign(C4, "eth0", null, KERNEL, 300))),
                Arguments.of(named("without device (blackhole)", new KernelRoute(prefix(C4), Optional.empty(),
                        Optional.empty(), Optional.empty(), STATIC, 0))));
    }

    @ParameterizedTest
    @MethodSource("foreignRoutesToAWantedDestination")
    void foreignRouteToAWantedDestinationIsAConflictAndNothingIsAddedOrDeletedForIt(KernelRoute foreign) {
        NetworkState host = withRoutes(withoutRoutesTo(convergedAddressed(), C4), foreign,
                owned(C4, "eth0", null, 100));

        Plan plan = PLANNER.plan(desired(ADDRESSED, C4, C6), host);

        assertThat(plan.changes()).isEmpty();
        assertThat(plan.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.kind()).isEqualTo(Conflict.Kind.FOREIGN_ROUTE);
            assertThat(conflict.shim()).isEqualTo("mynet");
            assertThat(conflict.subject()).isEqualTo(C4);
            assertThat(conflict.detail()).contains(foreign.toString(), "via mynet");
        });
    }

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void foreignRoutesAreNeverTouchedWhateverDeviceTheyUse(boolean pruneAllowed) {
        NetworkState host = withRoutes(convergedAddressed(), foreign("203.0.113.9/32", "mynet", null, STATIC, 0),
                foreign(GONE4, "mynet", null, BOOT, 0), foreign("192.0.2.0/24", "eth0", "198.51.100.1", BOOT, 0));

        Plan plan = PLANNER.plan(new DesiredState(List.of(ADDRESSED), List.of(route(C4, "mynet"),
                route(C6, "mynet")), pruneAllowed), host);

        assertThat(plan.changes()).isEmpty();
        assertThat(plan.conflicts()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void staleOwnedRoutesAreDeletedOnlyWhenPruningIsAllowed(boolean pruneAllowed) {
        NetworkState host = withRoutes(convergedAddressed(), owned(GONE4, "mynet", SHIM4),
                owned("203.0.113.0/24", "eth0", null, 10));

        Plan plan = PLANNER.plan(new DesiredState(List.of(ADDRESSED), List.of(route(C4, "mynet"),
                route(C6, "mynet")), pruneAllowed), host);

        List<Change> deletes = List.of(
                new DeleteRoute("mynet", prefix(GONE4), 0),
                new DeleteRoute("eth0", prefix("203.0.113.0/24"), 10));
        assertThat(plan.changes()).isEqualTo(pruneAllowed ? deletes : List.of());
    }

    static Stream<Arguments> ownedRoutesThatDiffer() {
        return Stream.of(
                Arguments.of(named("on another device", owned(C4, "eth0", SHIM4))),
                Arguments.of(named("with another source", owned(C4, "mynet", HOST4))),
                Arguments.of(named("without source", owned(C4, "mynet", null))),
                Arguments.of(named("through a gateway", new KernelRoute(prefix(C4), Optional.of("mynet"),
                        Optional.of(ip("198.51.100.1")), Optional.of(ip(SHIM4)), OURS, 0))));
    }

    @ParameterizedTest
    @MethodSource("ownedRoutesThatDiffer")
    void ownedRouteThatDiffersIsReplaced(KernelRoute differing) {
        NetworkState host = withRoutes(withoutRoutesTo(convergedAddressed(), C4), differing);

        assertThat(PLANNER.plan(desired(ADDRESSED, C4, C6), host).changes())
                .containsExactly(new AddRoute("mynet", prefix(C4), Optional.of(ip(SHIM4)), ORIGIN, true));
    }

    @Test
    void ofSeveralOwnedRoutesTheRightOneIsKeptAndTheOthersDeleted() {
        NetworkState host = withRoutes(withoutRoutesTo(convergedAddressed(), C4), owned(C4, "eth0", null, 0),
                owned(C4, "mynet", SHIM4, 100));

        assertThat(PLANNER.plan(desired(ADDRESSED, C4, C6), host).changes())
                .containsExactly(new DeleteRoute("eth0", prefix(C4), 0));
    }

    @Test
    void ofSeveralWrongOwnedRoutesTheOneAtTheDefaultMetricIsReplacedAndTheOthersDeleted() {
        NetworkState host = withRoutes(withoutRoutesTo(convergedAddressed(), C6), owned(C6, "eth0", null, 200),
                owned(C6, "eth0", null, 1024));

        assertThat(PLANNER.plan(desired(ADDRESSED, C4, C6), host).changes()).containsExactly(
                new DeleteRoute("eth0", prefix(C6), 200),
                new AddRoute("mynet", prefix(C6), Optional.of(ip(SHIM6)), ORIGIN, true));
    }

    @Test
    void wrongOwnedRouteAtAnotherMetricIsDeletedAndTheRouteAddedAfresh() {
        NetworkState host = withRoutes(withoutRoutesTo(convergedAddressed(), C4), owned(C4, "eth0", null, 50));

        assertThat(PLANNER.plan(desired(ADDRESSED, C4, C6), host).changes()).containsExactly(
                new DeleteRoute("eth0", prefix(C4), 50),
                new AddRoute("mynet", prefix(C4), Optional.of(ip(SHIM4)), ORIGIN, false));
    }

    // ---- removal ---------------------------------------------------------------------------------------

    @Test
    void removalDeletesEveryOwnedRouteThenOurShimsAndNothingElse() {
        NetworkState host = withRoutes(
                addLinks(convergedAddressed(), physical("eth1", 3),
                        new Link("lan2", 9, Optional.of("veth"), Optional.empty(), Optional.empty(), 1500, true,
                                List.of(), false, false),
                        macvlan("lan3", "eth0", "private")),
                owned("203.0.113.0/24", "eth0", null, 10),
                foreign(GONE4, "mynet", null, STATIC, 0));
        List<ShimSpec> shims = List.of(ADDRESSED, LAN2, shim("lan3", "eth0", null, null), shim("lan4", "eth1", null, null));

        Plan plan = PLANNER.removal(shims, host);

        assertThat(plan.changes()).containsExactly(
                new DeleteRoute("mynet", prefix(C4), 0),
                new DeleteRoute("mynet", prefix(C6), 1024),
                new DeleteRoute("eth0", prefix("203.0.113.0/24"), 10),
                new DeleteShim("mynet"));
        assertThat(plan.conflicts()).extracting(Conflict::kind, Conflict::subject).containsExactly(
                tuple(Conflict.Kind.FOREIGN_INTERFACE, "lan2"),
                tuple(Conflict.Kind.FOREIGN_INTERFACE, "lan3"));
    }

    @Test
    void removalOnAHostWithoutOurShimsChangesNothing() {
        assertThat(PLANNER.removal(List.of(ADDRESSED), freshHost()).changes()).isEmpty();
    }

    @Test
    void leftoversAreOurMarkedShimsNoShimIsConfiguredAsAndNothingElse() {
        Link otherProtocols = new Link("lan78", 11, Optional.of("macvlan"), Optional.of("bridge"), Optional.of("eth0"),
                1500, true, List.of(), true, true, "", true, Optional.of("macvlan-shim:proto=78"));
        NetworkState host = addLinks(convergedAddressed(), shimLink("old0", "eth0"), shimLink("old1", "eth1"),
                macvlan("theirs0", "eth0", "bridge"), otherProtocols);

        assertThat(PLANNER.leftovers(List.of(ADDRESSED), host).changes())
                .as("ours and not configured, whatever its parent; the configured shim, an unmarked macvlan and"
                        + " another protocol's shim are not leftovers")
                .containsExactlyInAnyOrder(new DeleteShim("old0"), new DeleteShim("old1"));
        assertThat(PLANNER.leftovers(List.of(ADDRESSED, shim("old0", "eth0", null, null), shim("old1", "eth1", null,
                null)), host).changes()).as("configured again: not a leftover").isEmpty();
    }

    // ---- host fixtures ---------------------------------------------------------------------------------

    /** eth0 with the host's addresses and the routes any LAN host has: none of them ours. */
    private static NetworkState freshHost() {
        return withRoutes(host(eth0()),
                foreign("0.0.0.0/0", "eth0", "198.51.100.1", BOOT, 0),
                foreign("198.51.100.0/24", "eth0", null, KERNEL, 0),
                foreign("2001:db8:100::/64", "eth0", null, KERNEL, 256));
    }

    private static NetworkState convergedAddressed() {
        NetworkState host = addLinks(freshHost(), shimLink("mynet", "eth0", global(SHIM4 + "/32"),
                global(SHIM6 + "/128"), linkLocal("fe80::72/64")));
        return withProxies(withRoutes(host, owned(C4, "mynet", SHIM4), owned(C6, "mynet", SHIM6)),
                new ProxyNeighbour(ip6(HOST6), "mynet"));
    }

    private static NetworkState convergedAddressLess() {
        NetworkState host = addLinks(freshHost(), shimLink("mynet", "eth0", linkLocal("fe80::72/64")));
        return withProxies(withRoutes(host, owned(C4, "mynet", HOST4), owned(C6, "mynet", HOST6)),
                new ProxyNeighbour(ip6(HOST6), "mynet"));
    }

    private static NetworkState twoShimsWithMynetDeleted() {
        NetworkState host = addLinks(freshHost(), physical("eth1", 3, global("192.0.2.10/24")),
                shimLink("lan2", "eth1", global("192.0.2.72/32"), linkLocal("fe80::2:72/64")));
        return withRoutes(host, owned("192.0.2.20/32", "lan2", "192.0.2.72"));
    }

    private static Link eth0() {
        return physical("eth0", 2, global(HOST4 + "/24"), global(HOST6 + "/64"), linkLocal("fe80::62/64"));
    }

    private static Link physical(String name, int index, LinkAddress... addresses) {
        return new Link(name, index, Optional.empty(), Optional.empty(), Optional.empty(), 1500, true,
                List.of(addresses), false, false);
    }

    private static Link macvlan(String name, String parent, String mode) {
        return new Link(name, 7, Optional.of("macvlan"), Optional.of(mode), Optional.of(parent), 1500, true, List.of(),
                true, true);
    }

    /** A shim as we leave it: macvlan bridge, marked as ours, up, forwarding and proxy_ndp on. */
    private static Link shimLink(String name, String parent, LinkAddress... addresses) {
        return new Link(name, 8, Optional.of("macvlan"), Optional.of("bridge"), Optional.of(parent), 1500, true,
                List.of(addresses), true, true, "", true, Optional.of(MARKER));
    }

    private static Link down(Link link) {
        return SimulatedKernel.withAdminUp(link, false);
    }

    private static Link withAddresses(Link link, LinkAddress... addresses) {
        return SimulatedKernel.withAddresses(link, List.of(addresses));
    }

    private static LinkAddress global(String cidr) {
        return address(cidr, Scope.GLOBAL);
    }

    private static LinkAddress linkLocal(String cidr) {
        return address(cidr, Scope.LINK);
    }

    private static LinkAddress address(String cidr, Scope scope) {
        String[] parts = cidr.split("/");
        return new LinkAddress(ip(parts[0]), Integer.parseInt(parts[1]), scope, false);
    }

    private static KernelRoute owned(String destination, String device, String source) {
        return owned(destination, device, source, SimulatedKernel.defaultMetric(prefix(destination)));
    }

    private static KernelRoute owned(String destination, String device, String source, int metric) {
        return new KernelRoute(prefix(destination), Optional.of(device), Optional.empty(), optionalIp(source), OURS,
                metric);
    }

    private static KernelRoute foreign(String destination, String device, String gateway, int protocol, int metric) {
        return new KernelRoute(prefix(destination), Optional.of(device), optionalIp(gateway), Optional.empty(), protocol,
                metric);
    }

    private static NetworkState host(Link... links) {
        return NetworkState.of(List.of(links), List.of(), Set.of());
    }

    private static NetworkState addLinks(NetworkState state, Link... links) {
        Map<String, Link> all = new LinkedHashMap<>(state.links());
        for (Link link : links) {
            all.put(link.name(), link);
        }
        return new NetworkState(all, state.routes(), state.proxyNeighbours());
    }

    private static NetworkState replaceLink(NetworkState state, String name, UnaryOperator<Link> change) {
        return addLinks(state, change.apply(state.links().get(name)));
    }

    private static NetworkState withRoutes(NetworkState state, KernelRoute... routes) {
        List<KernelRoute> all = new ArrayList<>(state.routes());
        all.addAll(List.of(routes));
        return new NetworkState(state.links(), all, state.proxyNeighbours());
    }

    private static NetworkState withoutRoutesTo(NetworkState state, String... destinations) {
        List<IpPrefix> gone = Stream.of(destinations).map(PlannerTest::prefix).toList();
        return new NetworkState(state.links(),
                state.routes().stream().filter(r -> !gone.contains(r.destination())).toList(), state.proxyNeighbours());
    }

    private static NetworkState withoutRoutesOn(NetworkState state, String device) {
        return new NetworkState(state.links(),
                state.routes().stream().filter(r -> !r.device().equals(Optional.of(device))).toList(),
                state.proxyNeighbours());
    }

    private static NetworkState withProxies(NetworkState state, ProxyNeighbour... proxies) {
        Set<ProxyNeighbour> all = new HashSet<>(state.proxyNeighbours());
        all.addAll(List.of(proxies));
        return new NetworkState(state.links(), state.routes(), all);
    }

    private static NetworkState withoutProxies(NetworkState state) {
        return new NetworkState(state.links(), state.routes(), Set.of());
    }

    // ---- desired-state fixtures ------------------------------------------------------------------------

    private static ShimSpec shim(String name, String parent, String address, String address6) {
        return new ShimSpec(name, parent, Optional.ofNullable(address).map(IpLiterals::parseIpv4Only),
                Optional.ofNullable(address6).map(IpLiterals::parseIpv6Only), List.of());
    }

    private static DesiredState desired(ShimSpec shim, String... destinations) {
        return new DesiredState(List.of(shim),
                Stream.of(destinations).map(destination -> route(destination, shim.name())).toList(), true);
    }

    private static HostRoute route(String destination, String shim) {
        return new HostRoute(prefix(destination), shim, ORIGIN);
    }

    private static Arguments idempotence(String name, DesiredState desired, NetworkState host) {
        return Arguments.of(name, desired, host);
    }

    private static IpPrefix prefix(String text) {
        return IpPrefix.parse(text);
    }

    private static InetAddress ip(String text) {
        return IpLiterals.parse(text);
    }

    private static Inet6Address ip6(String text) {
        return IpLiterals.parseIpv6Only(text);
    }

    private static Optional<InetAddress> optionalIp(String text) {
        return Optional.ofNullable(text).map(IpLiterals::parse);
    }
}
