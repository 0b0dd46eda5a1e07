package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hostile name can never become an option, keyword or extra argument of ip: every change that carries one is
 * refused before any line is produced, and a plan holding one is refused whole before any process starts.
 * Addresses cannot be hostile past this point: a change holds an InetAddress, and the only way from text to one
 * is {@link IpLiterals}, which refuses them (see also the fuzz tests).
 */
class HostileValuesTest {

    private static final int PROTO = 77;
    private static final Inet6Address V6 = IpLiterals.parseIpv6Only("2001:db8:100::201");

    static Stream<String> hostileNames() {
        return Stream.of("-batch", "dev", "help", "name", "link", "type", "all", "default", ".", "..", "-", "-n",
                "eth0 up", "eth0 via", "1.2.3.4 via", "eth0\nlink del eth0", "eth0\rx", "eth\u0000", "a\tb", " eth0",
                "eth0 ", "sixteen-bytes-xx", "ethé0ethé0ethé0", "eth0/1", "eth0:1", "@x", ".hidden", "", "$(id)",
                "eth0;id", "x".repeat(300));
    }

    /** Every kind of change, with {@code name} as the shim (and, for a new shim, as the parent too). */
    private static List<Change> changesNaming(String name) {
        List<Change> changes = new ArrayList<>();
        changes.add(new Change.CreateShim(name, "eth0", 1500));
        changes.add(new Change.CreateShim("mynet", name, 1500));
        changes.add(new Change.EnableProxyNdp(name));
        changes.add(new Change.AddAddress(name, IpLiterals.parse("198.51.100.72"), 32));
        changes.add(new Change.DeleteAddress(name, IpLiterals.parse("198.51.100.72"), 32));
        changes.add(new Change.SetUp(name));
        changes.add(new Change.AddProxyNeighbour(name, V6));
        changes.add(new Change.DeleteProxyNeighbour(name, V6));
        changes.add(new Change.AddRoute(name, IpPrefix.parse("198.51.100.201"), Optional.empty(), "lxd c1", false));
        changes.add(new Change.DeleteRoute(name, IpPrefix.parse("198.51.100.201"), 0));
        changes.add(new Change.DeleteShim(name));
        return changes;
    }

    @ParameterizedTest
    @MethodSource("hostileNames")
    void everyChangeNamingAHostileInterfaceIsRefusedBeforeALineIsProduced(String name) {
        for (Change change : changesNaming(name)) {
            if (name.isEmpty() && change instanceof Change.DeleteRoute) {
                // An empty device is the one case with a meaning: an owned route without a device, matched by
                // destination, protocol and metric; the line then names no device at all.
                assertThat(IpBatchRenderer.line(change, PROTO)).isEqualTo("route del 198.51.100.201/32 proto 77 table main");
                continue;
            }
            assertThatThrownBy(() -> IpBatchRenderer.steps(List.of(change), PROTO)).as(change.toString())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interface name")
                    .hasMessageContaining("is not accepted");
        }
    }

    @ParameterizedTest
    @MethodSource("hostileNames")
    void aPlanWithOneHostileChangeIsRefusedWholeWithoutRunningIp(String name) {
        // A namespace that does not exist: were ip ever run, it would fail with ip's own message, not this one.
        IpRoute2HostNetwork network = new IpRoute2HostNetwork(Optional.of("msl-never-created"));
        for (Change hostile : changesNaming(name)) {
            if (name.isEmpty() && hostile instanceof Change.DeleteRoute) {
                continue;
            }
            List<Change> plan = List.of(new Change.CreateShim("mynet", "eth0", 1500), new Change.SetUp("mynet"), hostile);
            assertThatThrownBy(() -> network.apply(plan, PROTO)).as(hostile.toString())
                    .isInstanceOf(HostNetworkException.class)
                    .hasMessageStartingWith("cannot apply the plan, nothing was changed: interface name")
                    .hasMessageNotContaining("\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "-batch", "dev", "1.2.3.4 via", "1.2.3.4 via 5.6.7.8", "example.org", "localhost",
            "999.1.1.1", "fe80::1%eth0", "198.51.100.7 dev lo", "::ffff:198.51.100.7", "01.2.3.4", "1.2.3.4\n",
            "2001:db8::1 proto 3", "help" })
    void anAddressThatIsNotAPlainLiteralNeverBecomesAnAddressOrPrefix(String text) {
        assertThatThrownBy(() -> IpLiterals.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> IpPrefix.parse(text)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpPrefix.parse(text + "/32")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 4, 256, -1, Integer.MAX_VALUE })
    void aProtocolOutsideOursIsRefused(int protocol) {
        assertThatThrownBy(() -> IpBatchRenderer.steps(List.of(new Change.SetUp("mynet")), protocol))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("route protocol");
    }
}
