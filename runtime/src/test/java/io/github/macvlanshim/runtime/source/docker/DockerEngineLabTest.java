package io.github.macvlanshim.runtime.source.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.DockerDaemon;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LabDir;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.Change;
import io.github.macvlanshim.runtime.net.IpRoute2HostNetwork;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;
import io.github.macvlanshim.runtime.source.InstanceSource;

/**
 * The engine driven by a real Docker engine (Debian's docker.io) running in the lab's host namespace: containers on
 * macvlan networks of the parents a shim serves are routed as they start, and no longer once they stop, go or leave
 * the network; other parents and non-bridge modes are left alone; the engine SIGKILLed costs no route. Every claim is
 * a route the kernel shows or a ping that answers, in both directions.
 * <p>
 * The host has eth0 (shim mynet), eth0.20 (shim vlan20: a veth standing for the 802.1q sub-interface Docker makes,
 * which this kernel cannot), eth1 (no shim) and eth2 (shim priv2, whose Docker network is in private mode).
 */
@Tag("lab")
class DockerEngineLabTest {

    private static final Duration ROUTED_WITHIN = Duration.ofSeconds(3);
    private static final DockerInstanceSource.Timing FAST = new DockerInstanceSource.Timing(Duration.ofMillis(50),
            Duration.ofSeconds(1), Duration.ofMillis(200));

    private static Lab lab;
    private static String host;
    private static DockerDaemon docker;

    private final List<String> containers = new ArrayList<>();
    private final AtomicInteger routesRemoved = new AtomicInteger();
    private Engine engine;

    @BeforeAll
    static void startDocker() {
        LabDir.sweepStale();
        Lab.sweepStale();
        lab = Lab.create();
        try {
            host = lab.hostNetns();
            for (String parent : List.of("eth0.20", "eth1", "eth2")) {
                lab.ip(host, "link", "add", parent, "type", "veth", "peer", "name", parent.replace("eth", "p"));
                lab.ip(host, "link", "set", parent.replace("eth", "p"), "up");
                lab.ip(host, "link", "set", parent, "up");
            }
            lab.ip(host, "address", "add", "192.0.2.62/26", "dev", "eth0.20");
            docker = DockerDaemon.start(host);
            docker.docker("network", "create", "-d", "macvlan", "--subnet", "198.51.100.0/24", "--gateway",
                    "198.51.100.1", "--ip-range", "198.51.100.160/28", "--ipv6", "--subnet", "2001:db8:100::/64",
                    "--gateway", "2001:db8:100::1", "-o", "parent=eth0", "mac0");
            docker.docker("network", "create", "-d", "macvlan", "--subnet", "192.0.2.0/26", "-o", "parent=eth0.20",
                    "mac20");
            docker.docker("network", "create", "-d", "macvlan", "--subnet", "203.0.113.0/25", "-o", "parent=eth1",
                    "other1");
            docker.docker("network", "create", "-d", "macvlan", "--subnet", "192.0.2.64/26", "-o", "parent=eth2", "-o",
                    "macvlan_mode=private", "priv2");
        } catch (RuntimeException e) {
            stopDocker();
            throw e;
        }
    }

    @AfterAll
    static void stopDocker() {
        try {
            if (docker != null) {
                docker.close();
            }
        } finally {
            lab.close();
        }
    }

    @BeforeEach
    void startEngine() {
        engine = engine(DockerInstanceSource.at(docker.socket(), FAST));
    }

    @AfterEach
    void stopEngine() {
        try {
            engine.close();
        } finally {
            if (!docker.isRunning()) {
                docker.restart();
            }
            if (!containers.isEmpty()) {
                List<String> remove = new ArrayList<>(List.of("rm", "-f"));
                remove.addAll(containers);
                docker.docker(remove.toArray(String[]::new));
            }
            lab.ip(host, "route", "flush", "proto", "77");
            lab.ip(host, "-6", "route", "flush", "proto", "77");
        }
    }

    @Test
    void fixedAndIpamAssignedAddressesAreRoutedAndReachableBothWaysIpv4AndIpv6() {
        run("d1", "--network", "mac0", "--ip", "198.51.100.101", "--ip6", "2001:db8:100::101");
        run("d2", "--network", "mac0");
        String assigned = docker.docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"mac0\").IPAddress}}", "d2")
                .strip();
        assertThat(assigned).startsWith("198.51.100.16");

        assertThat(Wait.until(ROUTED_WITHIN, () -> routes().containsAll(List.of("198.51.100.101 dev mynet",
                "2001:db8:100::101 dev mynet", assigned + " dev mynet")))).as("routed within %s", ROUTED_WITHIN).isTrue();
        assertThat(lab.awaitPing(host, "198.51.100.101", Duration.ofSeconds(3))).as("host to d1, IPv4").isTrue();
        assertThat(lab.awaitPing(host, "2001:db8:100::101", Duration.ofSeconds(3))).as("host to d1, IPv6").isTrue();
        assertThat(lab.awaitPing(host, assigned, Duration.ofSeconds(3))).as("host to d2 (IPAM)").isTrue();
        assertThat(pingFrom("d1", Lab.HOST_IPV4)).as("d1 to its host, IPv4").isTrue();
        assertThat(pingFrom("d1", Lab.HOST_IPV6)).as("d1 to its host, IPv6").isTrue();
        assertThat(engine.reconcile("test").sources()).singleElement().satisfies(status -> assertThat(status.daemon())
                .as("the engine named in the status").startsWith("Docker 20.10.").endsWith(" at " + docker.socket()));
    }

    @Test
    void stopRemovesTheRoutesStartRestoresThemAndRmForceRemovesThem() {
        run("d3", "--network", "mac0", "--ip", "198.51.100.103");
        assertThat(Wait.until(ROUTED_WITHIN, () -> routes().contains("198.51.100.103 dev mynet"))).isTrue();

        docker.docker("stop", "-t", "0", "d3");
        assertThat(Wait.until(ROUTED_WITHIN, () -> !routes().contains("198.51.100.103 dev mynet")))
                .as("route gone after stop").isTrue();

        docker.docker("start", "d3");
        assertThat(Wait.until(ROUTED_WITHIN, () -> routes().contains("198.51.100.103 dev mynet")))
                .as("routed again after start").isTrue();
        assertThat(lab.awaitPing(host, "198.51.100.103", Duration.ofSeconds(3))).isTrue();

        docker.docker("rm", "-f", "d3");
        containers.remove("d3");
        assertThat(Wait.until(ROUTED_WITHIN, () -> !routes().contains("198.51.100.103 dev mynet")))
                .as("route gone after rm -f").isTrue();
    }

    @Test
    void aRunningContainerConnectedToANetworkIsRoutedAndNoLongerOnceDisconnected() {
        run("d4", "--network", "other1", "--ip", "203.0.113.4");
        docker.docker("network", "connect", "--ip", "198.51.100.104", "mac0", "d4");
        assertThat(Wait.until(ROUTED_WITHIN, () -> routes().contains("198.51.100.104 dev mynet")))
                .as("routed after network connect").isTrue();
        assertThat(lab.awaitPing(host, "198.51.100.104", Duration.ofSeconds(3))).isTrue();

        docker.docker("network", "disconnect", "mac0", "d4");
        assertThat(Wait.until(ROUTED_WITHIN, () -> !routes().contains("198.51.100.104 dev mynet")))
                .as("route gone after network disconnect").isTrue();
    }

    @Test
    void aSubInterfaceParentIsServedByItsShimWhileOtherParentsAndPrivateModeAreLeftAlone() {
        run("d5", "--network", "mac20", "--ip", "192.0.2.5");
        run("o5", "--network", "other1", "--ip", "203.0.113.5");
        run("p5", "--network", "priv2", "--ip", "192.0.2.69");

        assertThat(Wait.until(ROUTED_WITHIN, () -> routes().contains("192.0.2.5 dev vlan20"))).isTrue();
        assertThat(lab.awaitPing(host, "192.0.2.5", Duration.ofSeconds(3))).as("host to d5 on eth0.20").isTrue();
        engine.reconcile("test");
        assertThat(routes()).containsExactly("192.0.2.5 dev vlan20");
        assertThat(lab.ip(host, "-4", "route", "show", "203.0.113.5")).as("a parent no shim serves: untouched").isEmpty();
    }

    @Test
    void whileTheEngineIsKilledNoRouteIsRemovedAndChangesAfterItsRestartArePickedUp() {
        run("d6", "--network", "mac0", "--ip", "198.51.100.106");
        run("d7", "--network", "mac0", "--ip", "198.51.100.107");
        assertThat(Wait.until(ROUTED_WITHIN, () -> routes().containsAll(List.of("198.51.100.106 dev mynet",
                "198.51.100.107 dev mynet")))).isTrue();

        docker.kill();
        ReconcileStatus down = engine.reconcile("test");
        assertThat(down.sources()).singleElement().satisfies(source -> assertThat(source.reachable()).isFalse());
        assertThat(down.ready()).as("readiness follows the engine").isFalse();
        assertThat(routes()).as("nothing removed while the engine is down").contains("198.51.100.106 dev mynet",
                "198.51.100.107 dev mynet");
        assertThat(routesRemoved).hasValue(0);

        // Without live-restore, the restarted engine stops what ran when it died: d6 and d7 are no longer running.
        docker.restart();
        run("d8", "--network", "mac0", "--ip", "198.51.100.108");
        assertThat(Wait.until(Duration.ofSeconds(15), () -> routes().contains("198.51.100.108 dev mynet")
                && !routes().contains("198.51.100.106 dev mynet") && !routes().contains("198.51.100.107 dev mynet")))
                .as("changes after the restart picked up: d6 and d7 stopped, d8 started").isTrue();
        docker.docker("start", "d6");
        assertThat(Wait.until(ROUTED_WITHIN, () -> routes().contains("198.51.100.106 dev mynet"))).isTrue();
        assertThat(lab.awaitPing(host, "198.51.100.106", Duration.ofSeconds(3))).isTrue();
        assertThat(engine.reconcile("test").ready()).isTrue();
    }

    private Engine engine(InstanceSource source) {
        EngineSettings settings = new EngineSettings(List.of(shim("mynet", "eth0"), shim("vlan20", "eth0.20"),
                shim("priv2", "eth2")), Duration.ofSeconds(30), 77, OnStop.KEEP, false, Optional.of(host));
        return Engine.start(settings, new IpRoute2HostNetwork(settings.netns()), List.of(source), report -> report
                .applied().stream().filter(Change.DeleteRoute.class::isInstance).forEach(c -> routesRemoved.incrementAndGet()));
    }

    private static ShimSpec shim(String name, String parent) {
        return new ShimSpec(name, parent, Optional.empty(), Optional.empty(), List.of());
    }

    private void run(String name, String... args) {
        docker.run(name, args);
        containers.add(name);
    }

    /** A ping from inside the container; the first may wait on ARP or NDP, so up to three tries. */
    private boolean pingFrom(String container, String address) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                docker.docker("exec", container, "ping", "-c", "1", "-W", "1", address);
                return true;
            } catch (IllegalStateException noAnswer) {
                // exit status 1: no answer this time
            }
        }
        return false;
    }

    private List<String> routes() {
        return lab.routesWithProtocol(host, 77);
    }
}
