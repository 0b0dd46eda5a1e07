package io.github.macvlanshim.runtime.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Cmd;
import io.github.macvlanshim.lab.KernelEvents;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LxdDaemon;
import io.github.macvlanshim.lab.LxdHost;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.source.lxd.LxdEngines;
import io.github.macvlanshim.runtime.net.Change;

/**
 * Faults on the LXD side under a running engine, against a real LXD daemon: the daemon killed with SIGKILL (its
 * event stream dropped with it) while containers change, and churn of many containers.
 */
@Tag("lab")
class LxdFaultsLabTest {

    private static final Duration GENEROUS = Duration.ofSeconds(30);
    private static final int CHURN_CONTAINERS = 20;
    private static final int CHURN_CYCLES = 200;
    private static final int WARM_UP_CYCLES = 20;
    private static final int WORKERS = 2;
    /** The churn stops starting cycles after this, to stay within a few minutes on a small machine. */
    private static final Duration CHURN_BUDGET = Duration.ofSeconds(150);

    private static LxdHost lxdHost;
    private static Lab lab;
    private static LxdDaemon lxd;
    private static String host;

    private final List<String> instances = java.util.Collections.synchronizedList(new ArrayList<>());
    private Engine engine;
    private final AtomicInteger routesAdded = new AtomicInteger();
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

    @BeforeEach
    void startEngine() {
        engine = LxdEngines.start(lxd, report -> report.applied().forEach(change -> {
                    if (change instanceof Change.AddRoute) {
                        routesAdded.incrementAndGet();
                    } else if (change instanceof Change.DeleteRoute) {
                        routesRemoved.incrementAndGet();
                    }
                }));
    }

    @AfterEach
    void stopEngine() {
        try {
            engine.close();
        } finally {
            if (!lxd.isRunning()) {
                lxd.restart();
            }
            for (String instance : List.copyOf(instances)) {
                Cmd.exec(LxdDaemon.LXC_TIMEOUT, lxd.env(), List.of("lxc", "delete", instance, "--force"));
            }
        }
    }

    @Test
    void theDaemonKilledWhileContainersChangeLosesNoWantedRouteAndItsChangesArePickedUpOnItsReturn() throws Exception {
        launch("k1", "198.51.100.221/24", "2001:db8:100::221/64");
        launch("k2", "198.51.100.222/24", null);
        launch("k3", "198.51.100.223/24", null);
        assertThat(Wait.until(GENEROUS, () -> routes().containsAll(List.of("198.51.100.221 dev mynet",
                "2001:db8:100::221 dev mynet", "198.51.100.222 dev mynet", "198.51.100.223 dev mynet")))).isTrue();
        long k2Init = initPid("k2");
        long k3Init = initPid("k3");

        try (KernelEvents events = KernelEvents.record(host)) {
            lxd.kill(); // SIGKILL: the event stream drops mid-stream with it
            // While LXD is away: k3 dies (its init killed by PID), k2 gets a second address.
            Cmd.run("kill", "-KILL", String.valueOf(k3Init));
            Cmd.run("nsenter", "-t", String.valueOf(k2Init), "-n", "ip", "address", "add", "198.51.100.232/24", "dev",
                    "eth0");
            assertThat(engine.reconcile("test").ready()).as("LXD unreachable").isFalse();
            assertThat(routes()).as("nothing removed while LXD is down").contains("198.51.100.221 dev mynet",
                    "2001:db8:100::221 dev mynet", "198.51.100.222 dev mynet", "198.51.100.223 dev mynet");

            long back = System.nanoTime();
            lxd.restart();
            assertThat(Wait.until(GENEROUS, () -> routes().contains("198.51.100.232 dev mynet")
                    && !routes().contains("198.51.100.223 dev mynet")))
                    .as("changes made while LXD was down are picked up after it returns (resync on reconnect)").isTrue();
            System.out.printf("LXD back: missed changes applied %d ms after its restart began%n",
                    (System.nanoTime() - back) / 1_000_000);

            launch("k4", "198.51.100.224/24", null);
            assertThat(Wait.until(GENEROUS, () -> routes().contains("198.51.100.224 dev mynet"))).isTrue();
            assertThat(routes()).containsExactlyInAnyOrder("198.51.100.221 dev mynet", "2001:db8:100::221 dev mynet",
                    "198.51.100.222 dev mynet", "198.51.100.232 dev mynet", "198.51.100.224 dev mynet");
            assertThat(events.lines()).as("no route of a running container went away at any moment")
                    .noneMatch(line -> line.startsWith("Deleted") && (line.contains("198.51.100.221 ")
                            || line.contains("2001:db8:100::221 ") || line.contains("198.51.100.222 ")));
        }
        assertThat(lab.awaitPing(host, "198.51.100.232", Duration.ofSeconds(3))).isTrue();
        assertThat(engine.reconcile("test").ready()).isTrue();
    }

    @Test
    void churnOfManyContainersEndsWithExactlyTheRunningOnesRoutedAndNoGrowthInMemory() throws Exception {
        AtomicInteger cycles = new AtomicInteger();
        long started = System.nanoTime();
        runCycles(WARM_UP_CYCLES, cycles, Long.MAX_VALUE);
        long warm = usedHeapAfterGc();
        long deadline = started + CHURN_BUDGET.toNanos();
        runCycles(CHURN_CYCLES - WARM_UP_CYCLES, cycles, deadline);
        long churnMillis = (System.nanoTime() - started) / 1_000_000;

        // The end state: every third container running with an address, the rest gone.
        Set<String> wanted = new HashSet<>();
        for (int i = 0; i < CHURN_CONTAINERS; i += 3) {
            String name = "ch" + i;
            launch(name, address(i) + "/24", null);
            wanted.add(address(i) + " dev mynet");
        }
        assertThat(Wait.until(GENEROUS, () -> new HashSet<>(routes()).equals(wanted)))
                .as("routes equal the running instances' addresses; have %s", routes()).isTrue();
        Thread.sleep(1000);
        assertThat(routes()).hasSize(wanted.size()).doesNotHaveDuplicates();
        assertThat(new HashSet<>(routes())).isEqualTo(wanted);
        long end = usedHeapAfterGc();
        System.out.printf("churn: %d create/start/stop/delete cycles over %d containers in %d ms, %d routes added and %d"
                + " removed by the engine; used heap after GC: %d KiB after %d warm-up cycles, %d KiB at the end%n",
                cycles.get(), CHURN_CONTAINERS, churnMillis, routesAdded.get(), routesRemoved.get(), warm / 1024,
                WARM_UP_CYCLES, end / 1024);
        assertThat(end).as("heap after the churn vs after warm-up (bytes)").isLessThan(warm + 8L * 1024 * 1024);
    }

    /** Runs {@code count} cycles, two containers at a time (the machine has two cores), none started after {@code deadline}. */
    private void runCycles(int count, AtomicInteger done, long deadline) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                futures.add(workers.submit(() -> {
                    for (int n = next.getAndIncrement(); n < count && System.nanoTime() < deadline;
                            n = next.getAndIncrement()) {
                        int container = (done.get() + n) % CHURN_CONTAINERS;
                        cycle(container, n);
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            workers.shutdownNow();
        }
    }

    /** One create/start/stop/delete cycle; a container slot busy in another worker is left alone. */
    private void cycle(int container, int n) {
        String name = "ch" + container + "x" + n;
        instances.add(name);
        lxd.lxc("init", LxdDaemon.IMAGE, name, "--profile", "default", "--profile", LxdDaemon.MACVLAN_PROFILE);
        lxd.startInstance(name);
        // Straight into the container's network namespace: `lxc exec` on a container just started hangs now and
        // then when two run at once on a small machine, and the address is the point here, not exec.
        Cmd.run("nsenter", "-t", String.valueOf(initPid(name)), "-n", "ip", "address", "add", address(container) + "/24",
                "dev", "eth0");
        lxd.stopInstance(name);
        lxd.deleteInstance(name, false);
        instances.remove(name);
    }

    private static String address(int container) {
        return "198.51.100." + (150 + container);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
            Runtime runtime = Runtime.getRuntime();
            min = Math.min(min, runtime.totalMemory() - runtime.freeMemory());
        }
        return min;
    }

    private long initPid(String instance) {
        String state = lxd.query("/1.0/instances/" + instance + "/state");
        return Long.parseLong(state.replaceAll("(?s).*\"pid\":\\s*([0-9]+).*", "$1"));
    }

    private void launch(String name, String cidr4, String cidr6) {
        lxd.launch(name);
        instances.add(name);
        lxd.setAddress(name, cidr4, cidr6);
    }

    private List<String> routes() {
        return lab.routesWithProtocol(host, 77);
    }
}
