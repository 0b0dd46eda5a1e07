package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class IpBatchRendererTest {

    private static final int PROTO = 77;

    private static InetAddress ip(String text) {
        return IpLiterals.parse(text);
    }

    private static String line(Change change) {
        return IpBatchRenderer.line(change, PROTO);
    }

    @Test
    void createShimIsABridgeModeMacvlanOnItsParentWithTheMtu() {
        assertThat(line(new Change.CreateShim("mynet", "eth0", 1500)))
                .isEqualTo("link add link eth0 name mynet mtu 1500 type macvlan mode bridge");
    }

    @Test
    void addAddressReplacesSoItIsIdempotentAndSkipsDadForIpv6() {
        assertThat(line(new Change.AddAddress("mynet", ip("198.51.100.72"), 32)))
                .isEqualTo("address replace 198.51.100.72/32 dev mynet");
        assertThat(line(new Change.AddAddress("mynet", ip("2001:db8:100:0::72"), 128)))
                .isEqualTo("address replace 2001:db8:100::72/128 dev mynet nodad");
    }

    @Test
    void deleteAddress() {
        assertThat(line(new Change.DeleteAddress("mynet", ip("2001:db8:100::72"), 128)))
                .isEqualTo("address del 2001:db8:100::72/128 dev mynet");
    }

    @Test
    void setUp() {
        assertThat(line(new Change.SetUp("mynet"))).isEqualTo("link set dev mynet up");
    }

    @Test
    void proxyNeighbours() {
        Inet6Address address = IpLiterals.parseIpv6Only("2001:db8:100::62");
        assertThat(line(new Change.AddProxyNeighbour("mynet", address))).isEqualTo("neigh replace proxy 2001:db8:100::62 dev mynet");
        assertThat(line(new Change.DeleteProxyNeighbour("mynet", address))).isEqualTo("neigh del proxy 2001:db8:100::62 dev mynet");
    }

    @Test
    void addRouteCarriesTheProtocolAndOptionalSource() {
        assertThat(line(new Change.AddRoute("mynet", IpPrefix.parse("198.51.100.253"), Optional.of(ip("198.51.100.62")),
                "static", false)))
                .isEqualTo("route add 198.51.100.253/32 dev mynet proto 77 src 198.51.100.62");
        assertThat(line(new Change.AddRoute("mynet", IpPrefix.parse("2001:db8:100::253"), Optional.empty(), "static", true)))
                .isEqualTo("route replace 2001:db8:100::253/128 dev mynet proto 77");
    }

    @Test
    void deleteRouteMatchesOnProtocolTableAndMetric() {
        assertThat(line(new Change.DeleteRoute("mynet", IpPrefix.parse("198.51.100.253"), 0)))
                .isEqualTo("route del 198.51.100.253/32 dev mynet proto 77 table main");
        assertThat(line(new Change.DeleteRoute("mynet", IpPrefix.parse("2001:db8:100::253"), 1024)))
                .isEqualTo("route del 2001:db8:100::253/128 dev mynet proto 77 table main metric 1024");
        assertThat(line(new Change.DeleteRoute("mynet", IpPrefix.parse("192.0.2.0/24"), -1)))
                .isEqualTo("route del 192.0.2.0/24 dev mynet proto 77 table main metric 4294967295");
    }

    @Test
    void deleteOfAnOwnedRouteWithoutDeviceNamesNoDevice() {
        assertThat(line(new Change.DeleteRoute("", IpPrefix.parse("192.0.2.0/24"), 0)))
                .isEqualTo("route del 192.0.2.0/24 proto 77 table main");
    }

    @Test
    void deleteShim() {
        assertThat(line(new Change.DeleteShim("mynet"))).isEqualTo("link del dev mynet");
    }

    @Test
    void aPlanWithoutSysctlChangesIsOneBatchInOrder() {
        List<Change> plan = List.of(new Change.CreateShim("mynet", "eth0", 1500), new Change.SetUp("mynet"));
        assertThat(IpBatchRenderer.steps(plan, PROTO)).containsExactly(new IpBatchRenderer.Batch(
                List.of("link add link eth0 name mynet mtu 1500 type macvlan mode bridge", "link set dev mynet up"), plan));
    }

    @Test
    void proxyNdpSplitsThePlanIntoBatchSysctlBatchWithSlashSeparatedKeys() {
        Change create = new Change.CreateShim("eth0.100", "eth0", 1500);
        Change enable = new Change.EnableProxyNdp("eth0.100");
        Change up = new Change.SetUp("eth0.100");
        List<IpBatchRenderer.Step> steps = IpBatchRenderer.steps(List.of(create, enable, up), PROTO);
        assertThat(steps).containsExactly(
                new IpBatchRenderer.Batch(List.of(line(create)), List.of(create)),
                new IpBatchRenderer.Sysctl(List.of("sysctl", "-q", "-w", "net/ipv6/conf/eth0.100/forwarding=1",
                        "net/ipv6/conf/eth0.100/proxy_ndp=1"), enable),
                new IpBatchRenderer.Batch(List.of(line(up)), List.of(up)));
    }

    @Test
    void anEmptyPlanHasNoSteps() {
        assertThat(IpBatchRenderer.steps(List.of(), PROTO)).isEmpty();
    }

    @Test
    void batchStdinEndsEveryLine() {
        assertThat(new IpBatchRenderer.Batch(List.of("a", "b"), List.of()).stdin()).isEqualTo("a\nb\n");
    }

    @Test
    void aNameThatCouldBeReadAsAnOptionOrKeywordIsRefused() {
        assertThatThrownBy(() -> line(new Change.SetUp("-force"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'-force'");
        assertThatThrownBy(() -> line(new Change.SetUp("eth0 down"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> line(new Change.CreateShim("mynet", "type", 1500))).hasMessageContaining("'type' is reserved");
        assertThatThrownBy(() -> IpBatchRenderer.steps(List.of(new Change.EnableProxyNdp("all")), PROTO))
                .hasMessageContaining("'all' is reserved");
    }

    @Test
    void aProtocolTheKernelOwnsIsRefused() {
        assertThatThrownBy(() -> IpBatchRenderer.steps(List.of(new Change.SetUp("mynet")), 4))
                .hasMessageContaining("route protocol 4");
        assertThatThrownBy(() -> IpBatchRenderer.line(new Change.SetUp("mynet"), 256)).hasMessageContaining("expected 5-255");
    }

    @Test
    void nonsensicalValuesAreRefused() {
        assertThatThrownBy(() -> line(new Change.CreateShim("mynet", "eth0", 0))).hasMessageContaining("MTU 0");
        assertThatThrownBy(() -> line(new Change.AddAddress("mynet", ip("198.51.100.72"), 33)))
                .hasMessageContaining("prefix length 33");
        assertThatThrownBy(() -> line(new Change.EnableProxyNdp("mynet"))).hasMessageContaining("sysctl");
    }

    @Test
    void everyRefusedLineOfAForcedBatchIsNamedWithTheReasonIpPrintedBeforeIt() {
        Change first = new Change.SetUp("a");
        Change second = new Change.AddRoute("a", IpPrefix.parse("192.0.2.1"), Optional.empty(), "static", false);
        Change third = new Change.AddRoute("a", IpPrefix.parse("192.0.2.2"), Optional.empty(), "static", false);
        IpBatchRenderer.Batch batch = new IpBatchRenderer.Batch(
                List.of("link set dev a up", "route add 192.0.2.1/32 dev a proto 77", "route add 192.0.2.2/32 dev a proto 77"),
                List.of(first, second, third));

        List<Refusal> refused = IpRoute2HostNetwork.refusals(batch,
                "RTNETLINK answers: File exists\nCommand failed -:2\nError: Nexthop device is not up.\nCommand failed -:3\n");

        assertThat(refused).containsExactly(
                new Refusal(second, "RTNETLINK answers: File exists (ip batch line 2: 'route add 192.0.2.1/32 dev a proto 77')"),
                new Refusal(third, "Error: Nexthop device is not up. (ip batch line 3: 'route add 192.0.2.2/32 dev a proto 77')"));
        assertThat(IpRoute2HostNetwork.refusals(batch, "Cannot open network namespace \"x\": No such file or directory\n"))
                .as("a failure that names no line is no refusal: the batch failed as a whole").isEmpty();
    }

    @Test
    void aShimIsCreatedWithItsMacAndMarkedThroughItsAlias() {
        assertThat(line(new Change.CreateShim("mynet", "eth0", 1500, Optional.of("02:AA:bb:cc:dd:ee"))))
                .isEqualTo("link add link eth0 name mynet mtu 1500 address 02:aa:bb:cc:dd:ee type macvlan mode bridge");
        assertThat(line(new Change.MarkShim("mynet", "macvlan-shim:proto=77"))).isEqualTo("link set dev mynet alias macvlan-shim:proto=77");
        assertThat(line(new Change.SetMac("mynet", "02:aa:bb:cc:dd:ee"))).isEqualTo("link set dev mynet address 02:aa:bb:cc:dd:ee");
        assertThatThrownBy(() -> line(new Change.MarkShim("mynet", "x type dummy"))).hasMessageContaining("marker 'x type dummy'");
        assertThatThrownBy(() -> line(new Change.SetMac("mynet", "01:00:5e:00:00:01"))).hasMessageContaining("multicast");
        assertThatThrownBy(() -> line(new Change.CreateShim("mynet", "eth0", 1500, Optional.of("02:aa:bb:cc:dd:ee up"))))
                .hasMessageContaining("is not a MAC address");
    }
}
