package io.github.macvlanshim.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.macvlanshim.lab.KernelEvents;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.InvalidConfigException;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.Change;
import io.github.macvlanshim.runtime.net.HostNetwork;
import io.github.macvlanshim.runtime.net.HostNetworkException;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.IpRoute2HostNetwork;
import io.github.macvlanshim.runtime.net.NetworkState;
import io.github.macvlanshim.runtime.net.Refusal;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;

/**
 * The engine on a real kernel: a LAN, a host whose eth0 is on it, and containers on macvlan children of the
 * host's eth0, as LXD makes them. Every claim is a ping that answers (or not) or a route the kernel shows.
 */
@Tag("lab")
class EngineLabTest {

    private static final String C1_V4 = EngineLab.C1_V4;
    private static final String C1_V6 = EngineLab.C1_V6;
    private static final String C2_V4 = EngineLab.C2_V4;
    private static final String C2_V6 = EngineLab.C2_V6;
    private static final String SHIM_V4 = "198.51.100.72";
    private static final String SHIM_V6 = "2001:db8:100::72";
    private static final Duration REPAIR_DEADLINE = Duration.ofSeconds(1);

    @RegisterExtension
    final EngineLab fixture = new EngineLab();
    private final Lab lab = fixture.lab();
    private final String host = fixture.host();
    private final String c1 = fixture.c1();
    private final String c2 = fixture.c2();

    @ParameterizedTest(name = "shim with its own addresses: {0}")
    @ValueSource(booleans = { true, false })
    void hostAndContainerReachEachOtherInBothFamiliesAfterOneReconcile(boolean addressed) {
        assertThat(reachable(host, C1_V4, host, C1_V6, c1, Lab.HOST_IPV4, c1, Lab.HOST_IPV6))
                .as("before the shim: nothing crosses between host and container").containsOnly(false);

        Engine engine = fixture.start(settings(addressed, OnStop.KEEP, C1_V4, C1_V6));

        assertThat(engine.status().outcome()).isEqualTo(ReconcileStatus.Outcome.CONVERGED);
        assertThat(engine.status().ready()).isTrue();
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).as("host -> container, IPv4").isTrue();
        assertThat(lab.awaitPing(host, C1_V6, Duration.ofSeconds(3))).as("host -> container, IPv6").isTrue();
        assertThat(lab.awaitPing(c1, Lab.HOST_IPV4, Duration.ofSeconds(3))).as("container -> host, IPv4").isTrue();
        assertThat(lab.awaitPing(c1, Lab.HOST_IPV6, Duration.ofSeconds(3))).as("container -> host, IPv6").isTrue();
        assertThat(fixture.ownedRoutes()).containsExactlyInAnyOrder(C1_V4 + " dev mynet", C1_V6 + " dev mynet");
        assertThat(lab.ip(host, "-o", "address", "show", "dev", "mynet"))
                .as("address-less mode spends no LAN address on the shim")
                .satisfies(text -> {
                    if (addressed) {
                        assertThat(text).contains(SHIM_V4 + "/32", SHIM_V6 + "/128");
                    } else {
                        assertThat(text).doesNotContain("inet ").doesNotContain("scope global");
                    }
                });
    }

    @Test
    void aStaticRouteRemovedFromConfigGoesAwayAndNothingElseChanges() {
        Engine first = fixture.start(settings(false, OnStop.KEEP, C1_V4, C1_V6, C2_V4, C2_V6));
        assertThat(fixture.ownedRoutes()).hasSize(4);
        String linksBefore = lab.ip(host, "-o", "link", "show");
        String foreignBefore = foreignRoutes();
        fixture.stop(first);

        fixture.start(settings(false, OnStop.KEEP, C1_V4, C1_V6));

        assertThat(fixture.ownedRoutes()).containsExactlyInAnyOrder(C1_V4 + " dev mynet", C1_V6 + " dev mynet");
        assertThat(lab.ip(host, "-o", "link", "show")).isEqualTo(linksBefore);
        assertThat(foreignRoutes()).isEqualTo(foreignBefore);
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).isTrue();
        assertThat(lab.ping(host, C2_V4)).as("c2 is no longer routed").isFalse();
    }

    @Test
    void aDeletedShimIsRepairedWithinOneSecond() {
        fixture.start(settings(true, OnStop.KEEP, C1_V4, C1_V6));

        long started = System.nanoTime();
        lab.ip(host, "link", "del", "mynet");

        assertThat(Wait.until(REPAIR_DEADLINE, () -> fixture.ownedRoutes().size() == 2 && shimIsUp()))
                .as("shim and both routes back within %s", REPAIR_DEADLINE).isTrue();
        System.out.printf("shim repaired in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).isTrue();
        assertThat(lab.awaitPing(c1, Lab.HOST_IPV6, Duration.ofSeconds(3))).isTrue();
    }

    @Test
    void aDeletedRouteIsRepairedWithinOneSecond() {
        fixture.start(settings(false, OnStop.KEEP, C1_V4, C1_V6));

        lab.ip(host, "route", "del", C1_V4 + "/32", "dev", "mynet");
        lab.ip(host, "-6", "route", "del", C1_V6 + "/128", "dev", "mynet");

        assertThat(Wait.until(REPAIR_DEADLINE, () -> fixture.ownedRoutes().size() == 2)).isTrue();
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).isTrue();
    }

    @Test
    void aShimSetDownIsRepairedWithinOneSecond() {
        fixture.start(settings(true, OnStop.KEEP, C1_V4, C1_V6));

        lab.ip(host, "link", "set", "mynet", "down");

        assertThat(Wait.until(REPAIR_DEADLINE, () -> shimIsUp() && fixture.ownedRoutes().size() == 2)).isTrue();
        assertThat(lab.awaitPing(host, C1_V6, Duration.ofSeconds(3))).isTrue();
    }

    @Test
    void aLostShimAddressIsRepairedWithinOneSecond() {
        fixture.start(settings(true, OnStop.KEEP, C1_V4, C1_V6));

        lab.ip(host, "address", "del", SHIM_V4 + "/32", "dev", "mynet");

        assertThat(Wait.until(REPAIR_DEADLINE,
                () -> lab.ip(host, "-o", "address", "show", "dev", "mynet").contains(SHIM_V4 + "/32")
                        && fixture.ownedRoutes().size() == 2)).isTrue();
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).isTrue();
    }

    @Test
    void foreignRoutesToADesiredAddressAndOnTheShimAreLeftAlone() {
        lab.ip(host, "route", "add", C1_V4 + "/32", "dev", "eth0", "proto", "static");
        Engine engine = fixture.start(settings(false, OnStop.KEEP, C1_V4, C1_V6));
        lab.ip(host, "route", "add", "203.0.113.9/32", "dev", "mynet", "proto", "static");

        ReconcileStatus status = engine.reconcile("test");

        assertThat(lab.ip(host, "route", "show", C1_V4 + "/32")).contains("dev eth0 proto static");
        assertThat(lab.ip(host, "route", "show", "203.0.113.9/32")).contains("dev mynet proto static");
        assertThat(fixture.ownedRoutes()).containsExactly(C1_V6 + " dev mynet");
        assertThat(status.conflicts()).singleElement()
                .satisfies(conflict -> assertThat(conflict.subject()).isEqualTo(C1_V4 + "/32"));
        assertThat(status.shims().get(0).conflicts()).isEqualTo(1);
        assertThat(status.outcome()).isEqualTo(ReconcileStatus.Outcome.CONVERGED);
    }

    @Test
    void aForeignVethWithTheShimsNameRefusesStartUpAndIsLeftInPlace() {
        lab.ip(host, "link", "add", "mynet", "type", "veth", "peer", "name", "mynet-peer");

        assertThatThrownBy(() -> fixture.start(settings(true, OnStop.REMOVE, C1_V4)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("interface mynet already exists as veth")
                .hasMessageContaining("not a macvlan in bridge mode on eth0");

        assertThat(lab.ip(host, "-d", "link", "show", "mynet")).contains("veth");
        assertThat(fixture.ownedRoutes()).isEmpty();
    }

    @Test
    void startUpChecksTheHostOnTheFirstReconcilesOwnReadAndReadsNothingElseBeforeItsChanges() {
        List<String> calls = new CopyOnWriteArrayList<>();
        IpRoute2HostNetwork kernel = new IpRoute2HostNetwork(Optional.of(host));
        HostNetwork counted = new HostNetwork() {
            @Override
            public NetworkState read() throws HostNetworkException {
                calls.add("read");
                return kernel.read();
            }

            @Override
            public List<Refusal> apply(List<Change> changes, int protocol) throws HostNetworkException {
                calls.add("apply");
                return kernel.apply(changes, protocol);
            }
        };

        Engine engine = fixture.start(settings(true, OnStop.KEEP, C1_V4), counted, Engine.Leftovers.KEEP);

        assertThat(engine.status().outcome()).isEqualTo(ReconcileStatus.Outcome.CONVERGED);
        assertThat(fixture.ownedRoutes()).containsExactly(C1_V4 + " dev mynet");
        // One read for the checks and the plan (it was two: a check's own, then the plan's), the changes, the read after.
        assertThat(calls.subList(0, 3)).containsExactly("read", "apply", "read");
    }

    @Test
    void aSecondReconcileOfAConvergedStateMakesNoKernelChange() throws Exception {
        Engine engine = fixture.start(settings(true, OnStop.KEEP, C1_V4, C1_V6, C2_V4, C2_V6));
        Thread.sleep(300); // let the engine's own follow-up reconcile of its start-up events settle

        try (KernelEvents events = KernelEvents.record(host)) {
            engine.reconcile("test");
            engine.reconcile("test");
            Thread.sleep(300);
            assertThat(events.lines()).isEmpty();
        }
    }

    @Test
    void restartWithOnStopKeepLosesNoRouteAtAnyMomentAndDuplicatesNone() throws Exception {
        Engine first = fixture.start(settings(false, OnStop.KEEP, C1_V4, C1_V6, C2_V4, C2_V6));
        List<String> routes = fixture.ownedRoutes();
        assertThat(routes).hasSize(4);

        try (KernelEvents events = KernelEvents.record(host)) {
            fixture.stop(first);
            fixture.start(settings(false, OnStop.KEEP, C1_V4, C1_V6, C2_V4, C2_V6));
            Thread.sleep(300);
            assertThat(events.lines()).as("no route or link went away or came back").isEmpty();
        }
        assertThat(fixture.ownedRoutes()).containsExactlyInAnyOrderElementsOf(routes);
        assertThat(lab.ping(host, C2_V4)).isTrue();
    }

    @Test
    void stopWithOnStopRemoveTakesAwayExactlyWhatIsOurs() {
        lab.ip(host, "route", "add", "203.0.113.0/24", "dev", "eth0", "proto", "static");
        String addressesBefore = lab.ip(host, "-o", "address", "show", "dev", "eth0");
        Engine engine = fixture.start(settings(true, OnStop.REMOVE, C1_V4, C1_V6));
        assertThat(fixture.ownedRoutes()).hasSize(2);

        fixture.stop(engine);

        assertThat(fixture.ownedRoutes()).isEmpty();
        assertThat(lab.ip(host, "-o", "link", "show")).doesNotContain("mynet");
        assertThat(lab.ip(host, "route", "show", "203.0.113.0/24")).contains("dev eth0 proto static");
        assertThat(lab.ip(host, "-o", "address", "show", "dev", "eth0")).isEqualTo(addressesBefore);
    }

    private EngineSettings settings(boolean addressed, OnStop onStop, String... staticRoutes) {
        ShimSpec shim = new ShimSpec("mynet", "eth0",
                addressed ? Optional.of(IpLiterals.parseIpv4Only(SHIM_V4)) : Optional.empty(),
                addressed ? Optional.of(IpLiterals.parseIpv6Only(SHIM_V6)) : Optional.empty(),
                Arrays.stream(staticRoutes).map(IpPrefix::parse).toList());
        return fixture.settings(shim, onStop);
    }

    private String foreignRoutes() {
        return Arrays.stream((lab.ip(host, "-4", "route", "show", "table", "main") + lab.ip(host, "-6", "route", "show",
                "table", "main")).split("\n")).filter(line -> !line.contains("proto 77")).collect(Collectors.joining("\n"));
    }

    private boolean shimIsUp() {
        String link = lab.ip(host, "-o", "link", "show");
        return Arrays.stream(link.split("\n")).anyMatch(line -> line.contains(" mynet@eth0:") && line.contains(",UP"));
    }

    /** Pings each (from, to) pair at once, so that pings expected to fail cost one timeout in all. */
    private List<Boolean> reachable(String... fromTo) {
        List<CompletableFuture<Boolean>> pings = new ArrayList<>();
        for (int i = 0; i < fromTo.length; i += 2) {
            String from = fromTo[i];
            String to = fromTo[i + 1];
            pings.add(CompletableFuture.supplyAsync(() -> lab.ping(from, to)));
        }
        return pings.stream().map(CompletableFuture::join).toList();
    }

}
