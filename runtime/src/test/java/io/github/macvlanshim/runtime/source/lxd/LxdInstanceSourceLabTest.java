package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.LxdDaemon;
import io.github.macvlanshim.lab.LxdHost;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.SourceListener;

/**
 * The LXD source against a real LXD daemon running in the lab's host namespace, with its own LXD_DIR: a
 * macvlan container's address shows in snapshots, events report that one instance's endpoints, a dead daemon is
 * an error, a restarted one is followed again.
 */
@Tag("lab")
class LxdInstanceSourceLabTest {

    private static final String C1_V4 = "198.51.100.201";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final LxdInstanceSource.Timing FAST = new LxdInstanceSource.Timing(Duration.ofMillis(20),
            Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofSeconds(20), Duration.ofMillis(100),
            Duration.ofMillis(500), Duration.ofMillis(100));

    private static LxdHost host;
    private static LxdDaemon lxd;

    @BeforeAll
    static void startDaemon() {
        host = LxdHost.start();
        lxd = host.lxd();
    }

    @AfterAll
    static void stopEverything() {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void reportsAMacvlanContainersOwnEndpointsThroughStartStopAndADaemonRestart() throws Exception {
        Recording events = new Recording();
        LxdInstanceSource source = LxdInstanceSource.at(lxd.socket(), FAST);
        try {
            source.subscribe(events);
            await("the connect resync", () -> events.resyncs.get() >= 1);
            assertThat(source.snapshot()).isEmpty();

            lxd.launch("c1");
            lxd.setAddress("c1", C1_V4 + "/24", null);
            Endpoint c1 = new Endpoint("lxd", "default", "c1", "eth0", "eth0", IpPrefix.parse(C1_V4));
            await("c1's endpoints once the started container has its address",
                    () -> events.latest("default/c1").contains(c1));
            assertThat(source.snapshot()).contains(c1);

            lxd.stopInstance("c1");
            await("c1 without endpoints once stopped", () -> events.latest("default/c1").isEmpty());
            assertThat(source.snapshot()).isEmpty();

            lxd.kill();
            assertThatThrownBy(source::snapshot).isInstanceOf(SourceException.class)
                    .hasMessageContaining(lxd.socket().toString())
                    .hasMessageContaining("GET /1.0");

            int beforeRestart = events.resyncs.get();
            lxd.restart();
            await("a resync on reconnect", () -> events.resyncs.get() > beforeRestart);
            assertThat(source.snapshot()).isEmpty();
            lxd.startInstance("c1");
            await("the address after a restart", () -> snapshotContains(source, C1_V4) || addAddressOnce());
        } finally {
            source.close();
        }
    }

    /** What the source reported: how many resyncs, and each instance's latest endpoints. */
    private static final class Recording implements SourceListener {

        final AtomicInteger resyncs = new AtomicInteger();
        final Map<String, List<Endpoint>> instances = new ConcurrentHashMap<>();

        @Override
        public void resync() {
            resyncs.incrementAndGet();
        }

        @Override
        public void instanceChanged(String project, String instance, List<Endpoint> endpoints) {
            instances.put(project + "/" + instance, endpoints);
        }

        /** A placeholder that matches nothing until the instance was reported at all. */
        List<Endpoint> latest(String key) {
            return instances.getOrDefault(key, List.of(new Endpoint("none", "", "", "", "none", IpPrefix.parse("192.0.2.0/24"))));
        }
    }

    private static boolean addressAdded;

    /** busybox's init does not keep the address over a restart: set it again, once. */
    private static boolean addAddressOnce() {
        if (!addressAdded) {
            addressAdded = true;
            lxd.setAddress("c1", C1_V4 + "/24", null);
        }
        return false;
    }

    private static boolean snapshotContains(LxdInstanceSource source, String address) {
        try {
            return source.snapshot().stream().anyMatch(e -> e.prefix().equals(IpPrefix.parse(address)));
        } catch (SourceException e) {
            return false;
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
            Thread.sleep(20);
        }
    }
}
