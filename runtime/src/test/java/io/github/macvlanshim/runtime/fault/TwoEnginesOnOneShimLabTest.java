package io.github.macvlanshim.runtime.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.KernelEvents;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.ShimLock;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.IpRoute2HostNetwork;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;
import io.github.macvlanshim.runtime.source.StaticSource;

/** Two engines started on one shim by mistake: the second refuses before touching anything, the first goes on. */
@Tag("lab")
class TwoEnginesOnOneShimLabTest {

    private static final String C1_V4 = "198.51.100.253";
    private static final String C1_V6 = "2001:db8:100::253";

    private Lab lab;
    private String host;
    private Engine first;

    @BeforeAll
    static void sweep() {
        Lab.sweepStale();
    }

    @BeforeEach
    void createLab() {
        lab = Lab.create();
        host = lab.hostNetns();
        lab.addContainer("c1", C1_V4, C1_V6);
    }

    @AfterEach
    void closeLab() {
        try {
            if (first != null) {
                first.close();
            }
        } finally {
            lab.close();
        }
    }

    @Test
    void theSecondEngineRefusesNamingShimLockAndHolderChangesNothingAndTheFirstStillRepairs() throws Exception {
        EngineSettings settings = settings();
        first = start(settings);
        assertThat(first.status().outcome()).isEqualTo(ReconcileStatus.Outcome.CONVERGED);
        assertThat(routes()).containsExactlyInAnyOrder(C1_V4 + " dev mynet", C1_V6 + " dev mynet");
        String lockFile = ShimLock.DIRECTORY.resolve("netns-" + host + "+mynet.lock").toString();
        Thread.sleep(300); // the first engine's follow-up reconcile of its own start-up events

        try (KernelEvents events = KernelEvents.record(host)) {
            assertThatThrownBy(() -> start(settings))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("shim mynet in network namespace " + host + " is already managed")
                    .hasMessageContaining(lockFile)
                    .hasMessageContaining("PID " + ProcessHandle.current().pid());
            Thread.sleep(300);
            assertThat(events.lines()).as("the refused engine changed nothing").isEmpty();
        }

        long deleted = System.nanoTime();
        lab.ip(host, "route", "del", C1_V4 + "/32", "dev", "mynet");
        assertThat(Wait.until(Duration.ofSeconds(1), () -> routes().contains(C1_V4 + " dev mynet")))
                .as("the first engine still repairs within 1 s").isTrue();
        System.out.printf("route repaired by the first engine in %d ms after the refusal%n",
                (System.nanoTime() - deleted) / 1_000_000);
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).isTrue();

        first.close();
        first = null;
        first = start(settings);
        assertThat(first.status().outcome()).as("closing released the lock").isEqualTo(ReconcileStatus.Outcome.CONVERGED);
    }

    private EngineSettings settings() {
        ShimSpec shim = new ShimSpec("mynet", "eth0", Optional.empty(), Optional.empty(),
                List.of(IpPrefix.parse(C1_V4), IpPrefix.parse(C1_V6)));
        return new EngineSettings(List.of(shim), Duration.ofSeconds(30), 77, OnStop.KEEP, false, Optional.of(host));
    }

    private Engine start(EngineSettings settings) {
        return Engine.start(settings, new IpRoute2HostNetwork(settings.netns()), List.of(new StaticSource(settings.shims())),
                report -> {
                });
    }

    private List<String> routes() {
        return lab.routesWithProtocol(host, 77);
    }
}
