package io.github.macvlanshim.runtime.source.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.DockerDaemon;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LxdDaemon;
import io.github.macvlanshim.lab.LxdHost;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.IpRoute2HostNetwork;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;
import io.github.macvlanshim.runtime.source.lxd.LxdInstanceSource;

/** One host running LXD and Docker, their macvlan instances on the same parent: one engine, one shim, both routed. */
@Tag("lab")
class LxdAndDockerOnOneShimLabTest {

    @Test
    void lxdAndDockerInstancesOnTheSameParentAreRoutedThroughTheSameShim() {
        try (LxdHost lxdHost = LxdHost.start(); DockerDaemon docker = DockerDaemon.start(lxdHost.lab().hostNetns())) {
            Lab lab = lxdHost.lab();
            String host = lab.hostNetns();
            LxdDaemon lxd = lxdHost.lxd();
            docker.docker("network", "create", "-d", "macvlan", "--subnet", "198.51.100.0/24", "--gateway",
                    "198.51.100.1", "--ip-range", "198.51.100.160/28", "-o", "parent=eth0", "mac0");
            EngineSettings settings = new EngineSettings(List.of(new ShimSpec("mynet", "eth0", Optional.empty(),
                    Optional.empty(), List.of())), Duration.ofSeconds(30), 77, OnStop.KEEP, false, Optional.of(host));
            try (Engine engine = Engine.start(settings, new IpRoute2HostNetwork(settings.netns()),
                    List.of(LxdInstanceSource.at(lxd.socket()), DockerInstanceSource.at(docker.socket())), report -> {
                    })) {
                lxd.launch("c1");
                lxd.setAddress("c1", "198.51.100.201/24", "2001:db8:100::201/64");
                docker.run("d1", "--network", "mac0", "--ip", "198.51.100.101");

                assertThat(Wait.until(Duration.ofSeconds(10), () -> lab.routesWithProtocol(host, 77).containsAll(List.of(
                        "198.51.100.201 dev mynet", "2001:db8:100::201 dev mynet", "198.51.100.101 dev mynet"))))
                        .as("routes %s, status %s", lab.routesWithProtocol(host, 77), engine.status()).isTrue();
                assertThat(lab.awaitPing(host, "198.51.100.201", Duration.ofSeconds(3))).as("LXD c1").isTrue();
                assertThat(lab.awaitPing(host, "198.51.100.101", Duration.ofSeconds(3))).as("Docker d1").isTrue();
                ReconcileStatus status = engine.reconcile("test");
                assertThat(status.sources()).extracting(ReconcileStatus.SourceStatus::name).containsExactly("lxd", "docker");
                assertThat(status.sources()).allSatisfy(source -> assertThat(source.reachable()).isTrue());
                assertThat(status.ready()).isTrue();
            } finally {
                lxd.deleteInstance("c1", true);
            }
        }
    }
}
