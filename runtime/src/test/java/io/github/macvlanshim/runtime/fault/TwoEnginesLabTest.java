package io.github.macvlanshim.runtime.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.macvlanshim.lab.KernelEvents;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.EngineLab;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.NetworkNamespace;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;

/**
 * Two engines in one network namespace. With the same route protocol they would own the same routes and delete
 * each other's: the second refuses before touching anything, whatever its shims. With different protocols they
 * own different things and live side by side without a single route flapping.
 */
@Tag("lab")
class TwoEnginesLabTest {

    private static final String C1_V4 = EngineLab.C1_V4;
    private static final String C1_V6 = EngineLab.C1_V6;
    private static final String C2_V4 = EngineLab.C2_V4;

    @RegisterExtension
    final EngineLab fixture = new EngineLab();
    private final Lab lab = fixture.lab();
    private final String host = fixture.host();
    private Engine first;
    private Engine second;

    @Test
    void aSecondEngineWithTheSameProtocolIsRefusedWhateverItsShimsNamingNamespaceLockAndHolder() throws Exception {
        first = fixture.start(settings("mynet", 77, C1_V4, C1_V6));
        assertThat(first.status().outcome()).isEqualTo(ReconcileStatus.Outcome.CONVERGED);
        long inode = NetworkNamespace.of(Optional.of(host)).inode();
        String lockFile = "/run/macvlan-shim/netns-" + inode + "+proto-77.lock";
        Thread.sleep(300); // the first engine's follow-up reconcile of its own start-up events

        try (KernelEvents events = KernelEvents.record(host)) {
            for (String shim : List.of("mynet", "other")) {
                assertThatThrownBy(() -> fixture.start(settings(shim, 77, C2_V4)))
                        .as("a second engine with shim %s", shim)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("route protocol 77 in network namespace net:[" + inode + "] (/run/netns/"
                                + host + ") is already managed")
                        .hasMessageContaining(lockFile)
                        .hasMessageContaining("PID " + ProcessHandle.current().pid());
            }
            Thread.sleep(300);
            assertThat(events.lines()).as("the refused engines changed nothing").isEmpty();
        }

        lab.ip(host, "route", "del", C1_V4 + "/32", "dev", "mynet");
        assertThat(Wait.until(Duration.ofSeconds(1), () -> routes(77).contains(C1_V4 + " dev mynet")))
                .as("the first engine still repairs within 1 s").isTrue();
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).isTrue();

        first.close();
        first = fixture.start(settings("mynet", 77, C1_V4, C1_V6));
        assertThat(first.status().outcome()).as("closing released the lock").isEqualTo(ReconcileStatus.Outcome.CONVERGED);
    }

    @Test
    void aDryRunBesideARunningEngineTakesNoLockAndChangesNothing() throws Exception {
        first = fixture.start(settings("mynet", 77, C1_V4, C1_V6));
        Thread.sleep(300);
        EngineSettings preview = new EngineSettings(settings("mynet", 77, C1_V4, C1_V6, C2_V4).shims(),
                Duration.ofSeconds(30), 77, OnStop.KEEP, true, Optional.of(host));
        try (KernelEvents events = KernelEvents.record(host)) {
            second = fixture.start(preview);
            assertThat(second.status().outcome()).isEqualTo(ReconcileStatus.Outcome.PENDING);
            assertThat(second.status().pendingChanges()).as("the preview plans the route to c2").isEqualTo(1);
            Thread.sleep(300);
            assertThat(events.lines()).isEmpty();
        }
    }

    @Test
    void twoEnginesWithTheirOwnShimsAndProtocolsRunSideBySideForTenSecondsOfTicksWithoutAFlap() throws Exception {
        first = fixture.start(settings("shima", 77, C1_V4, C1_V6));
        second = fixture.start(settings("shimb", 78, C2_V4));
        Thread.sleep(300);

        try (KernelEvents events = KernelEvents.record(host)) {
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < until) {
                assertThat(first.reconcile("tick").outcome()).isEqualTo(ReconcileStatus.Outcome.CONVERGED);
                assertThat(second.reconcile("tick").outcome()).isEqualTo(ReconcileStatus.Outcome.CONVERGED);
                Thread.sleep(2000);
            }
            assertThat(events.lines()).as("no route or link changed in 10 s of 2 s ticks").isEmpty();
        }
        assertThat(routes(77)).containsExactlyInAnyOrder(C1_V4 + " dev shima", C1_V6 + " dev shima");
        assertThat(routes(78)).containsExactly(C2_V4 + " dev shimb");
        assertThat(lab.ping(host, C1_V4)).isTrue();
        assertThat(lab.ping(host, C2_V4)).isTrue();
    }

    private EngineSettings settings(String shim, int protocol, String... routes) {
        ShimSpec spec = new ShimSpec(shim, "eth0", Optional.empty(), Optional.empty(),
                java.util.Arrays.stream(routes).map(IpPrefix::parse).toList());
        return new EngineSettings(List.of(spec), Duration.ofSeconds(30), protocol, OnStop.KEEP, false, Optional.of(host));
    }

    private List<String> routes(int protocol) {
        return lab.routesWithProtocol(host, protocol);
    }
}
