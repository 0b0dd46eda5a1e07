package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.macvlanshim.lab.LxdDaemon;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.EngineSettingsProducerAccess;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.LxdSocketSetting;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.IpRoute2HostNetwork;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.SourceStatus;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.InstanceSource;

/**
 * The engine's scenarios against a real Incus 6 daemon (Debian bookworm-backports), plus what only Incus has (NIC
 * modes), how auto finds it, its cheapest listing, and LXD and Incus side by side on one host feeding the shims.
 */
class IncusEngineLabTest extends DaemonEngineScenarios {

    @Override
    LxdDaemon.Flavor flavor() {
        return LxdDaemon.Flavor.INCUS;
    }

    @Test
    void privateAndVepaNicsAreNotRoutedButListedWithWhyWhileABridgeNicBesideThemIs() {
        launch("b1");
        lxd.setAddress("b1", "198.51.100.221/24", null);
        for (String[] nic : new String[][] { { "p1", "private" }, { "v1", "vepa" } }) {
            lxd.lxc("init", LxdDaemon.IMAGE, nic[0], "--profile", "default");
            instances.add(nic[0]);
            lxd.lxc("config", "device", "add", nic[0], "eth0", "nic", "nictype=macvlan", "parent=eth0", "name=eth0",
                    "mode=" + nic[1]);
            lxd.startInstance(nic[0]);
        }
        lxd.setAddress("p1", "198.51.100.222/24", null);
        lxd.setAddress("v1", "198.51.100.223/24", null);

        assertThat(Wait.until(ROUTED_WITHIN, () -> routes().contains("198.51.100.221 dev mynet"))).isTrue();
        ReconcileStatus status = engine.reconcile("test");

        assertThat(routes()).containsExactly("198.51.100.221 dev mynet");
        assertThat(status.ready()).as("a NIC the user put in another mode does not make the host unready").isTrue();
        SourceStatus incus = status.sources().get(0);
        assertThat(incus.name()).isEqualTo("incus");
        assertThat(incus.unroutable()).extracting(Object::toString).containsExactly(
                "incus default/p1 eth0 on eth0: macvlan mode private: it talks to no other macvlan on eth0, the shim"
                        + " included; only bridge-mode macvlan NICs are routed",
                "incus default/v1 eth0 on eth0: macvlan mode vepa: its frames to the shim go out to the switch and"
                        + " come back only if the switch port hairpins; only bridge-mode macvlan NICs are routed");
        assertThat(lab.awaitPing(host, "198.51.100.221", Duration.ofSeconds(3))).isTrue();

        lxd.stopInstance("p1");
        assertThat(Wait.until(ROUTED_WITHIN, () -> engine.reconcile("test").sources().get(0).unroutable().size() == 1))
                .as("a stopped instance is no longer listed").isTrue();
    }

    @Test
    void incusListsEveryInstanceWithThePlainListingAndAListingItDoesNotKnowIsRefusedNotTakenForNoInstances()
            throws Exception {
        launch("l1");
        lxd.setAddress("l1", "198.51.100.231/24", "2001:db8:100::231/64");
        lxd.lxc("init", LxdDaemon.IMAGE, "l2", "--profile", "default", "--profile", LxdDaemon.MACVLAN_PROFILE);
        instances.add("l2");

        try (LxdClient client = new LxdClient(lxd.socket())) {
            JsonNode server = client.get(LxdEndpoints.SERVER_PATH);
            // Incus 6.0 has no instances_state_selective_recursion (an LXD extension made after the fork).
            assertThat(LxdEndpoints.instancesPath(server)).isEqualTo(LxdEndpoints.INSTANCES_PATH);
            JsonNode networks = client.get(LxdEndpoints.NETWORKS_PATH);
            LxdEndpoints parser = new LxdEndpoints("incus", new ProblemLog(line -> {
            }));
            JsonNode full = client.get(LxdEndpoints.instancesPath(server));
            assertThat(parser.endpoints(server, networks, full)).extracting(Endpoint::origin)
                    .containsExactly("incus default/l1 eth0", "incus default/l1 eth0");
            for (JsonNode instance : full) {
                assertThat(instance.path("status").isTextual()).as("status at top level").isTrue();
            }

            // Asked anyway, Incus falls back to recursion 0 (a list of URLs): that must fail, not mean "no instances".
            JsonNode urls = client.get(LxdEndpoints.INSTANCES_NETWORK_STATE_PATH);
            assertThat(urls.get(0).isTextual()).isTrue();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> parser.endpoints(server, networks, urls))
                    .isInstanceOf(io.github.macvlanshim.runtime.source.SourceException.class)
                    .hasMessageContaining("did not honour the recursion");
        }
    }

    @Test
    void autoFindsIncusThroughIncusDirAndNamesTheSourceIncus() throws Exception {
        launch("a1");
        lxd.setAddress("a1", "198.51.100.241/24", null);
        LxdInstanceSource source = EngineSettingsProducerAccess.source(LxdSocketSetting.auto(),
                Daemon.INCUS, Map.of("INCUS_DIR", lxd.dir().toString()));
        try {
            assertThat(source.name()).isEqualTo("incus");
            assertThat(source.snapshot()).extracting(Endpoint::origin).containsExactly("incus default/a1 eth0");
        } finally {
            source.close();
        }
        LxdInstanceSource lxdOnIncus = EngineSettingsProducerAccess.source(LxdSocketSetting.auto(),
                Daemon.LXD, Map.of("LXD_DIR", lxd.dir().toString()));
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(lxdOnIncus::snapshot)
                    .isInstanceOf(io.github.macvlanshim.runtime.source.SourceAbsentException.class)
                    .hasMessageContaining("is Incus's socket, not LXD's (the incus source reads it)");
        } finally {
            lxdOnIncus.close();
        }
    }

    @Test
    void lxdAndIncusOnOneHostFeedTwoShimsOnTwoParentsThroughOneAgent() {
        lab.ip(host, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1-peer");
        LxdDaemon lxdToo = null;
        Engine both = null;
        try {
            lab.ip(host, "link", "set", "eth1-peer", "up");
            lab.ip(host, "link", "set", "eth1", "up");
            lab.ip(host, "address", "add", "203.0.113.62/24", "dev", "eth1");
            lxdToo = LxdDaemon.start(host);
            LxdDaemon[] daemons = { lxd, lxdToo };
            String[] prefixes = { "i", "l" };
            for (int d = 0; d < 2; d++) {
                String onEth0 = prefixes[d] + "0";
                String onEth1 = prefixes[d] + "1";
                daemons[d].launch(onEth0);
                daemons[d].lxc("init", LxdDaemon.IMAGE, onEth1, "--profile", "default");
                daemons[d].lxc("config", "device", "add", onEth1, "eth0", "nic", "nictype=macvlan", "parent=eth1",
                        "name=eth0");
                daemons[d].startInstance(onEth1);
                daemons[d].setAddress(onEth0, "198.51.100.25" + d + "/24", null);
                daemons[d].setAddress(onEth1, "203.0.113.25" + d + "/24", null);
            }
            instances.addAll(List.of("i0", "i1"));
            engine.close();
            List<InstanceSource> sources = List.of(
                    EngineSettingsProducerAccess.source(LxdSocketSetting.auto(),
                            Daemon.LXD, Map.of("LXD_DIR", lxdToo.dir().toString())),
                    EngineSettingsProducerAccess.source(LxdSocketSetting.auto(),
                            Daemon.INCUS, Map.of("INCUS_DIR", lxd.dir().toString())));
            EngineSettings settings = new EngineSettings(List.of(
                    new ShimSpec("mynet", "eth0", Optional.empty(), Optional.empty(), List.of()),
                    new ShimSpec("mynet2", "eth1", Optional.empty(), Optional.empty(), List.of())),
                    Duration.ofSeconds(30), 77, OnStop.REMOVE, false, Optional.of(host));
            both = Engine.start(settings, new IpRoute2HostNetwork(settings.netns()), sources, report -> {
            });
            List<String> wanted = List.of("198.51.100.250 dev mynet", "198.51.100.251 dev mynet",
                    "203.0.113.250 dev mynet2", "203.0.113.251 dev mynet2");
            Engine running = both;
            assertThat(Wait.until(Duration.ofSeconds(10), () -> routes().containsAll(wanted))).isTrue();
            ReconcileStatus status = running.reconcile("test");
            assertThat(routes()).containsExactlyInAnyOrderElementsOf(wanted);
            assertThat(status.sources()).extracting(SourceStatus::name, SourceStatus::reachable, SourceStatus::endpoints)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("lxd", true, 2),
                            org.assertj.core.groups.Tuple.tuple("incus", true, 2));
            assertThat(status.ready()).isTrue();
            for (String address : List.of("198.51.100.250", "198.51.100.251", "203.0.113.250", "203.0.113.251")) {
                assertThat(lab.awaitPing(host, address, Duration.ofSeconds(3))).as(address).isTrue();
            }
        } finally {
            if (both != null) {
                both.close();
            }
            if (lxdToo != null) {
                lxdToo.close();
            }
            for (String name : List.of("i0", "i1")) {
                lxd.deleteInstance(name, true);
                instances.remove(name);
            }
            lab.ip(host, "link", "del", "eth1");
            engine = LxdEngines.start(lxd, report -> {
            });
        }
    }

}
