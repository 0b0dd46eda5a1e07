package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LxdDaemon;
import io.github.macvlanshim.lab.LxdHost;
import io.github.macvlanshim.lab.UnixSocketProxy;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.EngineSettingsProducerAccess;
import io.github.macvlanshim.runtime.config.LxdSocketSetting;
import io.github.macvlanshim.runtime.net.Change;
import io.github.macvlanshim.runtime.reconcile.ReconcileReport;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.SourceStatus.State;
import io.github.macvlanshim.runtime.source.InstanceSource;

/**
 * The LXD source's lifecycle against a real daemon, as a real host sees it: LXD that starts after the engine (at
 * boot, after a snap refresh, installed later), an engine restarted while LXD is down and its socket gone, and an
 * event stream cut while the daemon lives on. Each claim is a route the kernel shows or a ping that answers.
 */
@Tag("lab")
class LxdLifecycleLabTest {

    private static final String C1 = "198.51.100.221";
    private static final String C2 = "198.51.100.222";
    private static final Duration PICKED_UP_WITHIN = Duration.ofSeconds(15);

    private static LxdHost lxdHost;
    private static Lab lab;
    private static LxdDaemon lxd;
    private static String host;

    private final List<String> instances = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final AtomicInteger routesRemoved = new AtomicInteger();

    @BeforeAll
    static void startLxd() {
        lxdHost = LxdHost.start();
        lab = lxdHost.lab();
        host = lab.hostNetns();
        lxd = lxdHost.lxd();
    }

    @AfterAll
    static void stopLxd() {
        lxdHost.close();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (!lxd.isRunning()) {
            lxd.restart();
        }
        instances.forEach(instance -> lxd.deleteInstance(instance, true));
        lab.ip(host, "route", "flush", "proto", "77");
        // The next test's containers reuse these addresses with new MACs.
        lab.ip(host, "neigh", "flush", "all");
    }

    @Test
    void lxdStartingAfterTheEngineIsFoundThroughLxdDirAndRoutedWithoutARestart() throws Exception {
        runningContainer("c1", C1);
        lxdGoneWithItsSocket();
        Engine engine = engine(EngineSettingsProducerAccess.source(LxdSocketSetting.auto(),
                Optional.of(lxd.dir().toString())), Optional.empty());
        ReconcileStatus before = engine.status();
        assertThat(before.sources()).singleElement().satisfies(source -> {
            assertThat(source.state()).isEqualTo(State.ABSENT);
            assertThat(source.expected()).as("auto, never seen: a host without LXD").isFalse();
        });
        assertThat(routes()).isEmpty();

        Thread.sleep(5_000);
        lxd.restart();

        assertThat(Wait.until(PICKED_UP_WITHIN, () -> routes().contains(C1 + " dev mynet")))
                .as("c1 routed once LXD came up, without a restart").isTrue();
        assertThat(lab.awaitPing(host, C1, Duration.ofSeconds(3))).isTrue();
        runningContainer("c2", C2);
        assertThat(Wait.until(Duration.ofSeconds(3), () -> routes().contains(C2 + " dev mynet")))
                .as("its events are followed too").isTrue();
        assertThat(engine.reconcile("test").ready()).isTrue();
    }

    @Test
    void aConfiguredSocketThatAppearsLaterIsAwaitedNotAStartUpFailure() throws Exception {
        runningContainer("c1", C1);
        lxdGoneWithItsSocket();
        Engine engine = engine(EngineSettingsProducerAccess.source(LxdSocketSetting.path(lxd.socket()),
                Optional.empty()), Optional.empty());
        assertThat(engine.status().sources()).singleElement().satisfies(source -> {
            assertThat(source.state()).isEqualTo(State.ABSENT);
            assertThat(source.expected()).as("configured: waited for").isTrue();
        });
        assertThat(engine.status().ready()).isFalse();

        Thread.sleep(5_000);
        lxd.restart();

        assertThat(Wait.until(PICKED_UP_WITHIN, () -> routes().contains(C1 + " dev mynet"))).isTrue();
        assertThat(lab.awaitPing(host, C1, Duration.ofSeconds(3))).isTrue();
    }

    @Test
    void anEngineRestartedWhileLxdIsDownAndItsSocketGoneRemovesNothingThenFollowsLxdBack() throws Exception {
        Path stateFile = lxd.dir().resolve("agent-state/sources.json");
        runningContainer("c1", C1);
        Engine first = engine(autoSource(), Optional.of(stateFile));
        assertThat(Wait.until(Duration.ofSeconds(3), () -> routes().contains(C1 + " dev mynet"))).isTrue();
        first.close();
        toClose.remove(first);

        lxdGoneWithItsSocket();
        Engine second = engine(autoSource(), Optional.of(stateFile));
        ReconcileStatus tick = second.reconcile("tick");
        second.reconcile("tick");

        assertThat(routes()).as("the remembered c1 is kept while LXD is away").contains(C1 + " dev mynet");
        assertThat(routesRemoved).hasValue(0);
        assertThat(lab.ping(host, C1)).isTrue();
        assertThat(tick.sources()).singleElement().satisfies(source -> {
            assertThat(source.state()).isEqualTo(State.ABSENT);
            assertThat(source.expected()).as("remembered from the last run").isTrue();
            assertThat(source.endpoints()).isEqualTo(1);
        });
        assertThat(tick.ready()).isFalse();

        lxd.restart();
        runningContainer("c2", C2);
        assertThat(Wait.until(PICKED_UP_WITHIN, () -> routes().contains(C2 + " dev mynet"))).isTrue();
        lxd.stopInstance("c1");
        assertThat(Wait.until(Duration.ofSeconds(3), () -> !routes().contains(C1 + " dev mynet")))
                .as("a change after LXD is back is followed: c1 stopped").isTrue();
    }

    @Test
    void anEventStreamCutWhileTheDaemonLivesOnIsReconnectedAndResyncedRemovingNothing() throws Exception {
        UnixSocketProxy proxy = UnixSocketProxy.start(lxd.dir().resolve("proxy.socket"), lxd.socket());
        toClose.add(proxy);
        runningContainer("c1", C1);
        Engine engine = engine(LxdInstanceSource.at(proxy.socket()), Optional.empty());
        assertThat(Wait.until(Duration.ofSeconds(3), () -> routes().contains(C1 + " dev mynet"))).isTrue();
        int before = proxy.connections();

        proxy.cutAll();
        assertThat(Wait.until(Duration.ofSeconds(5), () -> proxy.connections() > before))
                .as("the source reconnects through the proxy").isTrue();
        runningContainer("c2", C2);

        assertThat(Wait.until(Duration.ofSeconds(5), () -> routes().contains(C2 + " dev mynet")))
                .as("events are followed on the new stream").isTrue();
        assertThat(routes()).contains(C1 + " dev mynet");
        assertThat(routesRemoved).hasValue(0);
        assertThat(engine.reconcile("test").ready()).isTrue();
    }

    @Test
    void aKernelEventAsksLxdNothingAndAContainerStartCostsRequestsAboutThatContainerOnly() throws Exception {
        UnixSocketProxy proxy = UnixSocketProxy.start(lxd.dir().resolve("counting.socket"), lxd.socket());
        toClose.add(proxy);
        runningContainer("c1", C1);
        engine(LxdInstanceSource.at(proxy.socket()), Optional.empty());
        assertThat(Wait.until(Duration.ofSeconds(3), () -> routes().contains(C1 + " dev mynet"))).isTrue();
        quiet(proxy);

        int beforeRepair = proxy.requests().size();
        lab.ip(host, "route", "del", C1 + "/32", "dev", "mynet", "proto", "77");
        assertThat(Wait.until(Duration.ofSeconds(1), () -> routes().contains(C1 + " dev mynet")))
                .as("repaired within a second").isTrue();
        lab.ip(host, "link", "set", "mynet", "down");
        assertThat(Wait.until(Duration.ofSeconds(1), () -> lab.ip(host, "-o", "link", "show", "mynet").contains(",UP")))
                .as("shim set up again within a second").isTrue();
        quiet(proxy);
        assertThat(proxy.requests().subList(beforeRepair, proxy.requests().size()))
                .as("requests for a deleted route and a downed shim").isEmpty();

        int beforeStart = proxy.requests().size();
        runningContainer("c2", C2);
        assertThat(Wait.until(Duration.ofSeconds(3), () -> routes().contains(C2 + " dev mynet"))).isTrue();
        quiet(proxy);
        List<String> forStart = proxy.requests().subList(beforeStart, proxy.requests().size());
        assertThat(forStart).as("a start costs no listing").noneMatch(path -> path.startsWith("/1.0/instances?"))
                .allMatch(path -> path.startsWith("/1.0/instances/c2") || path.startsWith("/1.0/networks"));
        System.out.printf("requests for one container start: %d %s%n", forStart.size(), forStart);
    }

    /** Waits until a second passes with no request through the proxy. */
    private static void quiet(UnixSocketProxy proxy) {
        int last = -1;
        while (last != proxy.requests().size()) {
            last = proxy.requests().size();
            Wait.until(Duration.ofSeconds(1), () -> false);
        }
    }

    private InstanceSource autoSource() {
        return EngineSettingsProducerAccess.source(LxdSocketSetting.auto(), Optional.of(lxd.dir().toString()));
    }

    private Engine engine(InstanceSource source, Optional<Path> stateFile) {
        Engine engine = LxdEngines.start(lxd, source, stateFile, this::count);
        toClose.add(engine);
        return engine;
    }

    private void count(ReconcileReport report) {
        report.applied().stream().filter(Change.DeleteRoute.class::isInstance).forEach(c -> routesRemoved.incrementAndGet());
    }

    private void runningContainer(String name, String address) {
        lxd.launch(name);
        instances.add(name);
        lxd.setAddress(name, address + "/24", null);
    }

    /** LXD killed, and its socket removed as a clean stop (or a snap refresh) leaves it: the containers run on. */
    private void lxdGoneWithItsSocket() {
        lxd.kill();
        try {
            Files.deleteIfExists(lxd.socket());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> routes() {
        return lab.routesWithProtocol(host, 77);
    }
}
