package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.github.macvlanshim.lab.Dhcp;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LxdDaemon;
import io.github.macvlanshim.lab.LxdHost;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;

/**
 * The engine driven by a real daemon (LXD, or Incus: {@link #flavor()}) running in the lab's host namespace:
 * containers on macvlan NICs of the host's eth0 are routed through the shim as their addresses appear, and no
 * longer once they stop or go. Every claim is a route the kernel shows or a ping that answers.
 */
@Tag("lab")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DaemonEngineScenarios {

    static final Duration ROUTED_WITHIN = Duration.ofSeconds(2);
    LxdHost lxdHost;
    Lab lab;
    LxdDaemon lxd;
    String host;

    final List<String> instances = new ArrayList<>();
    Engine engine;

    /** The daemon the scenarios run against. */
    abstract LxdDaemon.Flavor flavor();

    @BeforeAll
    void startDaemon() {
        lxdHost = LxdHost.start(flavor());
        lab = lxdHost.lab();
        host = lab.hostNetns();
        lxd = lxdHost.lxd();
    }

    @AfterAll
    void stopDaemon() {
        lxdHost.close();
    }

    @BeforeEach
    void startEngine() {
        engine = LxdEngines.start(lxd, report -> {
        });
    }

    @AfterEach
    void stopEngine() {
        try {
            engine.close();
        } finally {
            List<String> made = List.copyOf(instances);
            instances.clear();
            for (String instance : made) {
                if (instance.contains(" ")) {
                    String[] projectAndName = instance.split(" ");
                    lxd.lxc("delete", projectAndName[1], "--project", projectAndName[0], "--force");
                } else {
                    lxd.deleteInstance(instance, true);
                }
            }
        }
    }

    @Test
    void aLaunchedContainerIsRoutedWithinTwoSecondsOfItsAddressAndReachableBothWays() {
        launch("c1");
        long addressSet = System.nanoTime();
        lxd.setAddress("c1", "198.51.100.201/24", "2001:db8:100::201/64");

        assertThat(Wait.until(ROUTED_WITHIN, () -> routes().containsAll(List.of("198.51.100.201 dev mynet",
                "2001:db8:100::201 dev mynet")))).as("routed within %s of the address; engine: %s", ROUTED_WITHIN,
                engine.status()).isTrue();
        System.out.printf("c1 routed %d ms after its address was set%n", (System.nanoTime() - addressSet) / 1_000_000);
        assertThat(lab.awaitPing(host, "198.51.100.201", Duration.ofSeconds(3))).isTrue();
        assertThat(lab.awaitPing(host, "2001:db8:100::201", Duration.ofSeconds(3))).isTrue();
    }

    @Test
    void aContainerThatGetsItsAddressFromDhcpIsRoutedOnceTheLeaseLands() {
        try (Dhcp dhcp = Dhcp.start(lab)) {
            launch("c2");
            String leased = lxd.dhcp("c2");

            assertThat(leased).startsWith("198.51.100.1");
            assertThat(Wait.until(ROUTED_WITHIN, () -> routes().contains(leased + " dev mynet"))).isTrue();
            assertThat(lab.awaitPing(host, leased, Duration.ofSeconds(3))).isTrue();
        }
    }

    @Test
    void stopRemovesTheRouteStartRestoresItOnceTheAddressIsBackAndDeleteRemovesIt() {
        launch("c3");
        lxd.setAddress("c3", "198.51.100.203/24", null);
        assertThat(Wait.until(ROUTED_WITHIN, () -> routes().contains("198.51.100.203 dev mynet"))).isTrue();

        lxd.stopInstance("c3");
        assertThat(Wait.until(ROUTED_WITHIN, () -> !routes().contains("198.51.100.203 dev mynet")))
                .as("route gone after stop").isTrue();

        lxd.startInstance("c3");
        lxd.setAddress("c3", "198.51.100.203/24", null);
        assertThat(Wait.until(ROUTED_WITHIN, () -> routes().contains("198.51.100.203 dev mynet")))
                .as("routed again once the address is back").isTrue();

        lxd.deleteInstance("c3", true);
        instances.remove("c3");
        assertThat(Wait.until(ROUTED_WITHIN, () -> !routes().contains("198.51.100.203 dev mynet")))
                .as("route gone after delete").isTrue();
    }

    @Test
    void projectsSeveralNicsAndIpv6AreRoutedWhileOtherParentsAndStoppedInstancesAreNot() {
        lxd.lxc("project", "create", "p2", "-c", "features.profiles=false", "-c", "features.images=false");
        try {
            lxd.launch("c4", "--project", "p2");
            instances.add("p2 c4");
            lxd.lxc("exec", "c4", "--project", "p2", "--", "ip", "address", "add", "198.51.100.204/24", "dev", "eth0");

            lxd.lxc("init", LxdDaemon.IMAGE, "c5", "--profile", "default", "--profile", LxdDaemon.MACVLAN_PROFILE);
            instances.add("c5");
            lxd.lxc("config", "device", "add", "c5", "lan2", "nic", "nictype=macvlan", "parent=eth0", "name=eth1");
            lxd.startInstance("c5");
            lxd.setAddress("c5", "eth0", "198.51.100.205/24", null);
            lxd.setAddress("c5", "eth1", "198.51.100.215/24", "2001:db8:100::215/64");

            lab.ip(host, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1-peer");
            lab.ip(host, "link", "set", "eth1", "up");
            lxd.lxc("init", LxdDaemon.IMAGE, "c6", "--profile", "default", "--profile", LxdDaemon.MACVLAN_PROFILE);
            instances.add("c6");
            lxd.lxc("config", "device", "add", "c6", "eth0", "nic", "nictype=macvlan", "parent=eth1");
            lxd.startInstance("c6");
            lxd.setAddress("c6", "198.51.100.206/24", null);

            launch("c7");
            lxd.setAddress("c7", "198.51.100.207/24", null);
            lxd.stopInstance("c7");

            assertThat(Wait.until(ROUTED_WITHIN, () -> routes().containsAll(List.of("198.51.100.204 dev mynet",
                    "198.51.100.205 dev mynet", "198.51.100.215 dev mynet", "2001:db8:100::215 dev mynet"))))
                    .as("routes %s; engine %s", routes(), engine.status()).isTrue();
            engine.reconcile("test");
            assertThat(routes()).containsExactlyInAnyOrder("198.51.100.204 dev mynet", "198.51.100.205 dev mynet",
                    "198.51.100.215 dev mynet", "2001:db8:100::215 dev mynet");
            assertThat(lab.awaitPing(host, "198.51.100.204", Duration.ofSeconds(3))).as("project p2").isTrue();
            assertThat(lab.awaitPing(host, "2001:db8:100::215", Duration.ofSeconds(3))).as("second NIC, IPv6").isTrue();
        } finally {
            for (String instance : List.copyOf(instances)) {
                if (instance.startsWith("p2 ")) {
                    lxd.lxc("delete", "c4", "--project", "p2", "--force");
                    instances.remove(instance);
                }
            }
            lxd.lxc("project", "delete", "p2");
            lab.ip(host, "link", "del", "eth1");
        }
    }

    @Test
    void whileTheDaemonIsDownNoRouteIsRemovedAndChangesAfterItReturnsArePickedUp() {
        launch("c8");
        lxd.setAddress("c8", "198.51.100.208/24", null);
        assertThat(Wait.until(ROUTED_WITHIN, () -> routes().contains("198.51.100.208 dev mynet"))).isTrue();

        lxd.kill();
        ReconcileStatus down = engine.reconcile("test");
        assertThat(down.ready()).as("readiness follows LXD reachability").isFalse();
        assertThat(down.sources()).singleElement().satisfies(source -> assertThat(source.reachable()).isFalse());
        assertThat(routes()).as("nothing removed while LXD is down").contains("198.51.100.208 dev mynet");

        lxd.restart();
        launch("c9");
        lxd.setAddress("c9", "198.51.100.209/24", null);
        assertThat(Wait.until(Duration.ofSeconds(15), () -> routes().contains("198.51.100.209 dev mynet")))
                .as("a container started after LXD came back is routed").isTrue();
        assertThat(routes()).contains("198.51.100.208 dev mynet");
        assertThat(engine.reconcile("test").ready()).isTrue();
    }

    void launch(String name) {
        lxd.launch(name);
        instances.add(name);
    }

    List<String> routes() {
        return lab.routesWithProtocol(host, 77);
    }
}
