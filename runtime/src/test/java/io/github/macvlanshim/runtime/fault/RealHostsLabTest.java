package io.github.macvlanshim.runtime.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.EngineLab;
import io.github.macvlanshim.runtime.EngineMode;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.health.MacvlanShimReadinessCheck;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.reconcile.Conflict;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;

/**
 * What real hosts do to the engine (issue 9): routes of other types in the way, changes the kernel refuses, a
 * parent that comes later, a monitor that dies, a shim deleted under the containers' feet. Every claim is a
 * ping that answers or a route the kernel shows.
 */
@Tag("lab")
class RealHostsLabTest {

    private static final String C1_V4 = EngineLab.C1_V4;
    private static final String C1_V6 = EngineLab.C1_V6;
    private static final String C2_V4 = EngineLab.C2_V4;
    private static final String C2_V6 = EngineLab.C2_V6;
    private static final String SHIM_V4 = "198.51.100.72";

    @RegisterExtension
    final EngineLab fixture = new EngineLab();
    private final Lab lab = fixture.lab();
    private final String host = fixture.host();
    private final String c1 = fixture.c1();
    private final String c2 = fixture.c2();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "blackhole", "unreachable", "prohibit" })
    void aForeignRouteOfAnotherTypeToOneWantedAddressIsAConflictAndEveryOtherContainerIsStillRouted(String type) {
        lab.ip(host, "route", "add", type, C1_V4 + "/32", "proto", "static");

        Engine engine = fixture.start(settings("eth0", false, C1_V4, C1_V6, C2_V4, C2_V6));

        ReconcileStatus status = engine.status();
        assertThat(lab.ip(host, "route", "show", C1_V4 + "/32")).as("the foreign route is left as it was")
                .startsWith(type + " " + C1_V4).contains("proto static");
        assertThat(fixture.ownedRoutes()).containsExactlyInAnyOrder(C1_V6 + " dev mynet", C2_V4 + " dev mynet",
                C2_V6 + " dev mynet");
        assertThat(lab.awaitPing(host, C2_V4, Duration.ofSeconds(3))).as("c2 over IPv4").isTrue();
        assertThat(lab.awaitPing(host, C2_V6, Duration.ofSeconds(3))).as("c2 over IPv6").isTrue();
        assertThat(lab.awaitPing(host, C1_V6, Duration.ofSeconds(3))).as("c1 over IPv6").isTrue();
        assertThat(status.outcome()).isEqualTo(ReconcileStatus.Outcome.CONVERGED);
        assertThat(status.refused()).as("nothing was even tried against the kernel's will").isEmpty();
        assertThat(status.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.kind()).isEqualTo(Conflict.Kind.FOREIGN_ROUTE);
            assertThat(conflict.detail()).contains(type + " " + C1_V4 + "/32 proto 4");
        });
        // What the readiness check and the macvlan_shim_conflicts gauge publish.
        assertThat(status.shims().get(0).conflicts()).isEqualTo(1);
        Map<String, Object> health = MacvlanShimReadinessCheck.response(status, EngineMode.HOST).getData().orElseThrow();
        assertThat(health).containsEntry("shim.mynet.conflicts", 1L);
        assertThat(String.valueOf(health.get("conflict.0"))).contains(type + " " + C1_V4);
        assertThat(engine.reconcile("tick").outcome()).as("and stays so at every reconcile")
                .isEqualTo(ReconcileStatus.Outcome.CONVERGED);
    }

    @Test
    void aChangeTheKernelRefusesIsReportedWithItsReasonTheRestIsStillMadeAndItIsRetried() {
        Engine engine = fixture.start(settings("eth0", false, C1_V4, C1_V6, C2_V4, C2_V6));
        assertThat(fixture.ownedRoutes()).hasSize(4);

        // An administrator turns IPv6 off on the shim: the kernel drops its IPv6 routes and refuses new ones.
        lab.exec(host, "sysctl", "-q", "-w", "net/ipv6/conf/mynet/disable_ipv6=1");
        lab.ip(host, "route", "del", C2_V4 + "/32", "dev", "mynet");
        ReconcileStatus status = engine.reconcile("test");

        assertThat(status.outcome()).isEqualTo(ReconcileStatus.Outcome.FAILED);
        assertThat(status.refused()).extracting(ReconcileStatus.RefusedChange::reason)
                .anySatisfy(reason -> assertThat(reason).contains("IPv6 is disabled on nexthop device"));
        assertThat(fixture.ownedRoutes()).as("the IPv4 route deleted meanwhile was put back despite the refusals")
                .containsExactlyInAnyOrder(C1_V4 + " dev mynet", C2_V4 + " dev mynet");
        assertThat(lab.awaitPing(host, C2_V4, Duration.ofSeconds(3))).isTrue();
        Map<String, Object> health = MacvlanShimReadinessCheck.response(status, EngineMode.HOST).getData().orElseThrow();
        assertThat(String.valueOf(health.get("refused.0"))).contains("refused: Error: IPv6 is disabled on nexthop device");

        lab.exec(host, "sysctl", "-q", "-w", "net/ipv6/conf/mynet/disable_ipv6=0");
        assertThat(Wait.until(Duration.ofSeconds(2), () -> engine.reconcile("retry").refused().isEmpty()
                && fixture.ownedRoutes().size() == 4)).as("retried and made once the kernel accepts it").isTrue();
        assertThat(lab.awaitPing(host, C2_V6, Duration.ofSeconds(3))).isTrue();
    }

    @Test
    void aParentThatAppearsFiveSecondsAfterStartUpGetsItsShimAndRoutesWithinASecond() throws Exception {
        String c3v4 = "198.51.100.240";
        Engine engine = fixture.start(settings("eth1", true, c3v4));

        ReconcileStatus waiting = engine.status();
        assertThat(waiting.shims()).singleElement().satisfies(shim -> assertThat(shim.parentPresent()).isFalse());
        assertThat(waiting.ready()).isFalse();
        assertThat(MacvlanShimReadinessCheck.response(waiting, EngineMode.HOST).getData().orElseThrow())
                .containsEntry("shim.mynet.state", "parent missing");
        assertThat(waiting.conflicts()).singleElement()
                .satisfies(conflict -> assertThat(conflict.kind()).isEqualTo(Conflict.Kind.MISSING_PARENT));

        Thread.sleep(5000);
        long plugged = System.nanoTime();
        lab.addNic("eth1");
        assertThat(Wait.until(Duration.ofSeconds(1), () -> fixture.ownedRoutes().contains(c3v4 + " dev mynet")))
                .as("shim and route follow the parent within a second").isTrue();
        System.out.printf("shim and route followed the parent in %d ms%n", (System.nanoTime() - plugged) / 1_000_000);

        String c3 = lab.addContainerOn("eth1", "c3", c3v4, "2001:db8:100::240");
        assertThat(lab.awaitPing(host, c3v4, Duration.ofSeconds(3))).as("host -> c3 through the late parent").isTrue();
        assertThat(lab.awaitPing(c3, SHIM_V4, Duration.ofSeconds(3))).as("c3 -> host").isTrue();
        assertThat(Wait.until(Duration.ofSeconds(2), () -> engine.status().ready())).isTrue();
    }

    @Test
    void aKilledIpMonitorIsRestartedAndARouteDeletedRightAfterIsRepairedWithinTwoSeconds() {
        fixture.start(settings("eth0", false, C1_V4, C1_V6));
        ProcessHandle monitor = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(" -o monitor link address route"))
                .filter(p -> p.info().commandLine().orElse("").contains(host))
                .findFirst().orElseThrow();

        monitor.destroyForcibly();
        long deleted = System.nanoTime();
        lab.ip(host, "route", "del", C1_V4 + "/32", "dev", "mynet");

        assertThat(Wait.until(Duration.ofSeconds(2), () -> fixture.ownedRoutes().contains(C1_V4 + " dev mynet")))
                .as("repaired within 2 s although no monitor saw the deletion").isTrue();
        System.out.printf("route repaired %d ms after the monitor was killed%n", (System.nanoTime() - deleted) / 1_000_000);
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).isTrue();
    }

    @Test
    void aDeletedShimComesBackWithItsMacSoAContainersPingToTheHostAnswersWithinOneSecond() {
        fixture.start(settings("eth0", false, C1_V4, C1_V6));
        assertThat(lab.awaitPing(c1, Lab.HOST_IPV4, Duration.ofSeconds(3))).as("c1 -> host, learning the shim's MAC").isTrue();
        String mac = shimMac();
        assertThat(neighbourMac(c1, Lab.HOST_IPV4)).isEqualTo(mac);

        long deleted = System.nanoTime();
        lab.ip(host, "link", "del", "mynet");
        assertThat(Wait.until(Duration.ofSeconds(1), () -> fixture.ownedRoutes().size() == 2)).isTrue();
        boolean answered = lab.ping(c1, Lab.HOST_IPV4);
        long elapsed = (System.nanoTime() - deleted) / 1_000_000;

        System.out.printf("c1 -> host answered %d ms after the shim was deleted%n", elapsed);
        assertThat(answered).as("the container's neighbour entry still points at the shim").isTrue();
        assertThat(elapsed).isLessThan(1000);
        assertThat(shimMac()).isEqualTo(mac);
    }

    private String shimMac() {
        String[] words = lab.ip(host, "-o", "link", "show", "dev", "mynet").split("\\s+");
        return words[Arrays.asList(words).indexOf("link/ether") + 1];
    }

    private String neighbourMac(String netns, String address) {
        String[] words = lab.ip(netns, "neigh", "show", address).split("\\s+");
        int at = Arrays.asList(words).indexOf("lladdr");
        return at < 0 ? "" : words[at + 1];
    }

    private EngineSettings settings(String parent, boolean addressed, String... staticRoutes) {
        ShimSpec shim = new ShimSpec("mynet", parent,
                addressed ? Optional.of(IpLiterals.parseIpv4Only(SHIM_V4)) : Optional.empty(), Optional.empty(),
                Arrays.stream(staticRoutes).map(IpPrefix::parse).toList());
        return fixture.settings(shim, OnStop.KEEP);
    }

}
