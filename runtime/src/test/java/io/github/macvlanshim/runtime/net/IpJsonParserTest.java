package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Fixtures under ip-json/ are real iproute2 6.1 output, captured from lab namespaces. */
class IpJsonParserTest {

    private static final String HOST4 = fixture("host-links-routes4.json");
    private static final String HOST6 = fixture("host-routes6-proxy-netconf.json");
    private static final String EMPTY6 = fixture("empty-routes6-proxy-netconf.json");

    private static String fixture(String name) {
        try (InputStream in = IpJsonParserTest.class.getResourceAsStream("/ip-json/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static NetworkState host() throws HostNetworkException {
        return IpJsonParser.parse(HOST4, HOST6);
    }

    private static KernelRoute route(NetworkState state, String destination, String device) {
        return state.routes().stream()
                .filter(r -> r.destination().equals(IpPrefix.parse(destination)) && r.device().equals(Optional.ofNullable(device)))
                .findFirst().orElseThrow(() -> new AssertionError("no route " + destination + " in " + state.routes()));
    }

    @Test
    void aProtocolOrTypeIsOneToThreeDigitsUpTo255() {
        assertThat(List.of("0", "7", "77", "077", "255").stream().map(IpJsonParser::smallNumber))
                .containsExactly(0, 7, 77, 77, 255);
        assertThat(List.of("", "256", "1000", "0077", "7a", "-1", " 7", "\u0667").stream().map(IpJsonParser::smallNumber))
                .containsOnly(-1);
    }

    @Test
    void readsTheShimAsABridgeMacvlanOnItsParentWithIpv6Settings() throws HostNetworkException {
        Link shim = host().link("mynet").orElseThrow();
        assertThat(shim.isMacvlanBridgeOn("eth0")).isTrue();
        assertThat(shim.adminUp()).isTrue();
        assertThat(shim.mtu()).isEqualTo(1500);
        assertThat(shim.index()).isEqualTo(4);
        assertThat(shim.ipv6Forwarding()).isTrue();
        assertThat(shim.ipv6ProxyNdp()).isTrue();
        assertThat(shim.globalAddresses()).containsExactly(
                new LinkAddress(IpLiterals.parse("198.51.100.72"), 32, LinkAddress.Scope.GLOBAL, false));
        assertThat(shim.addresses()).extracting(LinkAddress::scope).contains(LinkAddress.Scope.LINK);
    }

    @Test
    void readsTheMacAndTheCarrierOfEachLink() throws HostNetworkException {
        NetworkState state = host();
        assertThat(state.link("mynet").orElseThrow().mac()).isEqualTo("36:ad:14:bf:f5:64");
        assertThat(state.link("mynet").orElseThrow().carrier()).isTrue();
        assertThat(state.link("mvp").orElseThrow().carrier()).as("set down: no LOWER_UP").isFalse();
    }

    @Test
    void aLinkWithoutCarrierAndItsLinkdownRouteAreReadAsSuch() throws HostNetworkException {
        String links = "[{\"ifindex\":2,\"ifname\":\"eth0\",\"flags\":[\"NO-CARRIER\",\"BROADCAST\",\"UP\"],"
                + "\"mtu\":1500,\"address\":\"not a mac; rm -rf\"}]"
                + "[{\"dst\":\"198.51.100.20\",\"dev\":\"eth0\",\"protocol\":\"77\",\"flags\":[\"linkdown\"]}]";
        NetworkState state = IpJsonParser.parse(links, EMPTY6);
        Link eth0 = state.link("eth0").orElseThrow();
        assertThat(eth0.adminUp()).isTrue();
        assertThat(eth0.carrier()).isFalse();
        assertThat(eth0.mac()).as("anything but a MAC is left out").isEmpty();
        assertThat(route(state, "198.51.100.20/32", "eth0").linkdown()).isTrue();
        assertThat(route(state, "198.51.100.20/32", "eth0").toString()).endsWith(" linkdown");
    }

    @Test
    void readsAddressesWithScopeAndTentativeness() throws HostNetworkException {
        Link eth0 = host().link("eth0").orElseThrow();
        assertThat(eth0.kind()).contains("veth");
        assertThat(eth0.macvlanMode()).isEmpty();
        // A veth whose peer lives in another namespace shows only link_index, no parent name.
        assertThat(eth0.parent()).isEmpty();
        assertThat(eth0.ipv6Forwarding()).isFalse();
        assertThat(eth0.addresses()).containsExactly(
                new LinkAddress(IpLiterals.parse("198.51.100.62"), 24, LinkAddress.Scope.GLOBAL, false),
                new LinkAddress(IpLiterals.parse("2001:db8:100::99"), 64, LinkAddress.Scope.GLOBAL, true),
                new LinkAddress(IpLiterals.parse("2001:db8:100::62"), 64, LinkAddress.Scope.GLOBAL, false),
                new LinkAddress(IpLiterals.parse("fe80::7c30:d2ff:fe12:b15"), 64, LinkAddress.Scope.LINK, false));
        assertThat(eth0.primaryIpv6()).contains(IpLiterals.parse("2001:db8:100::62"));
        Link lo = host().link("lo").orElseThrow();
        assertThat(lo.kind()).isEmpty();
        assertThat(lo.addresses()).extracting(LinkAddress::scope).containsOnly(LinkAddress.Scope.HOST);
    }

    @Test
    void aMacvlanInPrivateModeIsNotABridgeShim() throws HostNetworkException {
        Link link = host().link("mvp").orElseThrow();
        assertThat(link.macvlanMode()).contains("private");
        assertThat(link.adminUp()).isFalse();
        assertThat(link.isMacvlanBridgeOn("eth0")).isFalse();
    }

    @Test
    void readsOwnedRoutesOfBothFamiliesWithProtocolSourceAndMetric() throws HostNetworkException {
        NetworkState state = host();
        assertThat(route(state, "198.51.100.253/32", "mynet")).isEqualTo(new KernelRoute(IpPrefix.parse("198.51.100.253/32"),
                Optional.of("mynet"), Optional.empty(), Optional.of(IpLiterals.parse("198.51.100.72")), 77, 0));
        assertThat(route(state, "2001:db8:100::253/128", "mynet")).isEqualTo(new KernelRoute(
                IpPrefix.parse("2001:db8:100::253/128"), Optional.of("mynet"), Optional.empty(),
                Optional.of(IpLiterals.parse("2001:db8:100::62")), 77, 1024));
        assertThat(route(state, "192.0.2.0/28", "eth0").metric()).isEqualTo(50);
        assertThat(route(state, "192.0.2.5/32", "eth0").protocol()).isEqualTo(4);
        assertThat(route(state, "198.51.100.0/24", "eth0").protocol()).isEqualTo(2);
    }

    @Test
    void defaultRoutesAndOmittedProtocolAreBoot() throws HostNetworkException {
        NetworkState state = host();
        KernelRoute v4 = route(state, "0.0.0.0/0", "eth0");
        assertThat(v4.gateway()).contains(IpLiterals.parse("198.51.100.1"));
        assertThat(v4.protocol()).isEqualTo(3);
        KernelRoute v6 = route(state, "::/0", "eth0");
        assertThat(v6.gateway()).contains(IpLiterals.parse("2001:db8:100::1"));
        assertThat(v6.protocol()).isEqualTo(IpJsonParser.PROTOCOL_BOOT);
    }

    @Test
    void multipathRoutesHaveNoDevice() throws HostNetworkException {
        NetworkState state = host();
        assertThat(route(state, "192.0.2.64/26", null).gateway()).isEmpty();
        assertThat(route(state, "2001:db8:300::/64", null).device()).isEmpty();
    }

    @Test
    void routesOfEveryTypeAreKeptWithTheirType() throws HostNetworkException {
        assertThat(host().routes()).filteredOn(r -> r.destination().toString().equals("203.0.113.0/24")
                || r.destination().toString().equals("2001:db8:200::/48"))
                .extracting(KernelRoute::type).doesNotContain(KernelRoute.Type.UNICAST).hasSize(2);
        String four = "[]\n[{\"type\":\"6\",\"dst\":\"203.0.113.60\",\"protocol\":\"4\",\"flags\":[]},"
                + "{\"type\":\"7\",\"dst\":\"203.0.113.61\",\"flags\":[]},{\"type\":\"8\",\"dst\":\"203.0.113.62\"},"
                + "{\"type\":\"9\",\"dst\":\"203.0.113.63\"},{\"type\":\"200\",\"dst\":\"203.0.113.64\"}]";
        assertThat(IpJsonParser.parse(four, EMPTY6).routes()).extracting(KernelRoute::toString).containsExactly(
                "blackhole 203.0.113.60/32 proto 4", "unreachable 203.0.113.61/32 proto 3", "prohibit 203.0.113.62/32 proto 3",
                "throw 203.0.113.63/32 proto 3", "other 203.0.113.64/32 proto 3");
    }

    @Test
    void aLinksAliasAndMacAreRead() throws HostNetworkException {
        String four = "[{\"ifindex\":4,\"link\":\"eth0\",\"ifname\":\"mynet\",\"flags\":[\"UP\"],\"mtu\":1500,"
                + "\"address\":\"02:AA:bb:cc:dd:ee\",\"ifalias\":\"macvlan-shim:proto=77\",\"linkinfo\":{\"info_kind\":"
                + "\"macvlan\",\"info_data\":{\"mode\":\"bridge\"}}}]\n[]";
        Link mynet = IpJsonParser.parse(four, EMPTY6).link("mynet").orElseThrow();
        assertThat(mynet.alias()).contains("macvlan-shim:proto=77");
        assertThat(mynet.mac()).contains("02:aa:bb:cc:dd:ee");
        assertThat(new Ownership(77).isOurShimOn(mynet, "eth0")).isTrue();
        assertThat(new Ownership(78).isOurs(mynet)).as("the marker names the protocol").isFalse();
        assertThat(new Ownership(77).isOurs(mynet.withAlias(java.util.Optional.empty()))).isFalse();
    }

    @Test
    void readsProxyNeighbours() throws HostNetworkException {
        assertThat(host().proxyNeighbours())
                .containsExactly(new ProxyNeighbour(IpLiterals.parseIpv6Only("2001:db8:100::62"), "mynet"));
    }

    @Test
    void aMacvlanWhoseParentIsInAnotherNamespaceHasNoParentName() throws HostNetworkException {
        Link eth0 = IpJsonParser.parse(fixture("container-links-routes4.json"), EMPTY6).link("eth0").orElseThrow();
        assertThat(eth0.kind()).contains("macvlan");
        assertThat(eth0.macvlanMode()).contains("bridge");
        assertThat(eth0.parent()).isEmpty();
    }

    @Test
    void aFreshNamespaceHasOnlyLoopbackDown() throws HostNetworkException {
        NetworkState state = IpJsonParser.parse(fixture("empty-links-routes4.json"), EMPTY6);
        assertThat(state.links()).containsOnlyKeys("lo");
        assertThat(state.link("lo").orElseThrow().adminUp()).isFalse();
        assertThat(state.routes()).isEmpty();
        assertThat(state.proxyNeighbours()).isEmpty();
    }

    @Test
    void aRoutesFieldsUnknownToTheParserAreSkippedNestedOnesToo() throws HostNetworkException {
        String four = "[]\n[{\"metrics\":[{\"mtu\":1400,\"x\":[[]]}],\"dst\":\"192.0.2.9\",\"nexthops\":[{\"gateway\":\"x\"}],"
                + "\"dev\":\"eth0\",\"expires\":3,\"pref\":null,\"protocol\":\"77\",\"scope\":\"253\"},{\"dst\":\"default\"}]";
        assertThat(IpJsonParser.parse(four, EMPTY6).routes()).extracting(KernelRoute::toString)
                .containsExactly("192.0.2.9/32 dev eth0 proto 77", "0.0.0.0/0 proto 3");
    }

    @Test
    void unicastRoutesMayCarryTheTypeByNameToo() throws HostNetworkException {
        String four = "[]\n[{\"type\":\"unicast\",\"dst\":\"192.0.2.9\",\"dev\":\"eth0\",\"protocol\":\"77\"},"
                + "{\"type\":\"broadcast\",\"dst\":\"192.0.2.255\",\"dev\":\"eth0\"},{\"type\":\"5\",\"dst\":\"224.0.0.0/4\"}]";
        assertThat(IpJsonParser.parse(four, EMPTY6).routes()).extracting(KernelRoute::toString)
                .containsExactly("192.0.2.9/32 dev eth0 proto 77", "broadcast 192.0.2.255/32 dev eth0 proto 3",
                        "multicast 224.0.0.0/4 proto 3");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON | 1: lo: <LOOPBACK,UP> | default via 192.0.2.1 | not JSON",
            "cut short | [{ | | not JSON",
            "too many arrays | [] | [] [] | expected 2 JSON arrays, found 3",
            "an object, not an array | {} | [] | value 1 is {}, expected a JSON array",
            "link not an object | [1] | [] | link 0 is 1, expected a JSON object",
            "link without name | [{\"ifindex\":1,\"mtu\":1500}] | [] | link 0: field 'ifname' is missing, expected a string",
            "ifindex as text | [{\"ifname\":\"x\",\"ifindex\":\"1\",\"mtu\":1500}] | [] | link 0 (x): field 'ifindex' is \"1\", expected a whole number",
            "mtu negative | [{\"ifname\":\"x\",\"ifindex\":1,\"mtu\":-1}] | [] | field 'mtu' is -1",
            "flags not an array | [{\"ifname\":\"x\",\"ifindex\":1,\"mtu\":1,\"flags\":\"UP\"}] | [] | field 'flags' is \"UP\", expected an array",
            "address not a literal | [{\"ifname\":\"x\",\"ifindex\":1,\"mtu\":1,\"addr_info\":[{\"family\":\"inet\",\"local\":\"example.com\",\"prefixlen\":24,\"scope\":\"0\"}]}] | [] | link 0 (x) addr_info[0]: field 'local' is 'example.com', expected an IPv4 address",
            "v6 address under inet | [{\"ifname\":\"x\",\"ifindex\":1,\"mtu\":1,\"addr_info\":[{\"family\":\"inet\",\"local\":\"2001:db8::1\",\"prefixlen\":24,\"scope\":\"0\"}]}] | [] | expected an IPv4 address",
            "prefix too long | [{\"ifname\":\"x\",\"ifindex\":1,\"mtu\":1,\"addr_info\":[{\"family\":\"inet\",\"local\":\"192.0.2.1\",\"prefixlen\":33,\"scope\":\"0\"}]}] | [] | field 'prefixlen' is 33, expected 0-32",
            "tentative not boolean | [{\"ifname\":\"x\",\"ifindex\":1,\"mtu\":1,\"addr_info\":[{\"family\":\"inet6\",\"local\":\"2001:db8::1\",\"prefixlen\":64,\"scope\":\"0\",\"tentative\":1}]}] | [] | field 'tentative' is 1, expected true or false",
            "route without dst | [] | [{\"dev\":\"eth0\"}] | IPv4 route 0: field 'dst' is missing",
            "route dst not a prefix | [] | [{\"dst\":\"192.0.2.1/40\",\"dev\":\"eth0\"}] | IPv4 route 0 (192.0.2.1/40): field 'dst' is '192.0.2.1/40', expected \"default\" or an IPv4 prefix",
            "route dst with host bits | [] | [{\"dst\":\"192.0.2.1/24\"}] | has host bits set",
            "route of the wrong family | [] | [{\"dst\":\"2001:db8::/64\"}] | field 'dst' is '2001:db8::/64', expected an IPv4 prefix",
            "protocol by name | [] | [{\"dst\":\"192.0.2.1\",\"protocol\":\"static\"}] | field 'protocol' is \"static\", expected a number from 0 to 255 (is ip run with -N?)",
            "protocol too big | [] | [{\"dst\":\"192.0.2.1\",\"protocol\":\"300\"}] | field 'protocol' is \"300\"",
            "metric as text | [] | [{\"dst\":\"192.0.2.1\",\"metric\":\"5\"}] | field 'metric' is \"5\", expected a whole number from 0 to 4294967295",
            "gateway not an address | [] | [{\"dst\":\"default\",\"gateway\":\"router\"}] | field 'gateway' is 'router', expected an IPv4 address",
            "dev not a string | [] | [{\"dst\":\"default\",\"dev\":7}] | field 'dev' is 7, expected a string",
            "route not an object | [] | [\"x\"] | IPv4 route 0 is \"x\", expected a JSON object",
            "routes not an array | [] | {\"dst\":\"default\"} | value 2 is {\"dst\":\"default\"}, expected a JSON array",
            "a flag not a string | [] | [{\"dst\":\"default\",\"flags\":[\"onlink\",1]}] | IPv4 route 0 (default): flags[1] is 1, expected a string",
            "type as an object | [] | [{\"type\":{},\"dst\":\"default\"}] | IPv4 route 0: field 'type' is {}",
            "a route cut short | [] | [{\"dst\":\"default\", | not JSON",
    })
    void malformedLinksOrIpv4RoutesFailNamingFieldValueAndExpectation(String name, String links, String routes, String message) {
        assertThatThrownBy(() -> IpJsonParser.parse(links + "\n" + (routes == null ? "" : routes), EMPTY6))
                .isInstanceOf(HostNetworkException.class)
                .hasMessageStartingWith("unexpected ip output: ")
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "too many arrays | [] [] [] [] | expected 3 JSON arrays, found 4",
            "v6 route of the wrong family | [{\"dst\":\"192.0.2.0/24\"}] [] [] | IPv6 route 0 (192.0.2.0/24): field 'dst' is '192.0.2.0/24', expected an IPv6 prefix",
            "proxy with an IPv4 address | [] [{\"dst\":\"192.0.2.1\",\"dev\":\"mynet\"}] [] | proxy neighbour 0: field 'dst' is '192.0.2.1', expected an IPv6 address",
            "proxy with a scope id | [] [{\"dst\":\"fe80::1%2\",\"dev\":\"mynet\"}] [] | proxy neighbour 0: field 'dst' is 'fe80::1%2'",
            "proxy without dev | [] [{\"dst\":\"2001:db8::1\"}] [] | proxy neighbour 0: field 'dev' is missing",
            "netconf forwarding as number | [] [] [{\"family\":\"inet6\",\"interface\":\"eth0\",\"forwarding\":1,\"proxy_neigh\":false}] | netconf 0 (eth0): field 'forwarding' is 1, expected true or false",
            "netconf without proxy_neigh | [] [] [{\"family\":\"inet6\",\"interface\":\"eth0\",\"forwarding\":true}] | netconf 0 (eth0): field 'proxy_neigh' is missing",
    })
    void malformedIpv6OutputFailsNamingFieldValueAndExpectation(String name, String output, String message) {
        assertThatThrownBy(() -> IpJsonParser.parse("[]\n[]", output))
                .isInstanceOf(HostNetworkException.class)
                .hasMessageContaining(message);
    }

    @Test
    void fixturesCutShortFailCleanly() {
        for (String cut : List.of(HOST4.substring(0, HOST4.length() / 2), "", " \n")) {
            assertThatThrownBy(() -> IpJsonParser.parse(cut, HOST6)).isInstanceOf(HostNetworkException.class);
        }
    }

    @Test
    void aLinkNamedAsMacvlanShimNeverNamesIsLeftOutAndItsRoutesAndProxiesLoseTheDevice() throws HostNetworkException {
        // The kernel allows names InterfaceNames refuses; such a name must never reach an ip command line.
        String odd = "my net\\u0000";
        NetworkState state = IpJsonParser.parse(HOST4.replace("\"mynet\"", "\"" + odd + "\""),
                HOST6.replace("\"mynet\"", "\"" + odd + "\""));
        assertThat(state.links()).containsOnlyKeys("lo", "eth0", "mvp");
        NetworkState before = host();
        long onShim = before.routes().stream().filter(route -> route.device().equals(Optional.of("mynet"))).count();
        long deviceless = before.routes().stream().filter(route -> route.device().isEmpty()).count();
        assertThat(onShim).isPositive();
        assertThat(state.routes()).hasSameSizeAs(before.routes());
        assertThat(state.routes()).filteredOn(route -> route.device().isEmpty()).hasSize((int) (deviceless + onShim));
        assertThat(state.proxyNeighbours()).isEmpty();
    }
}
