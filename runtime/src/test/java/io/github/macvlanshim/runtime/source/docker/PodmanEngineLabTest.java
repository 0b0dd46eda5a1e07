package io.github.macvlanshim.runtime.source.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LabDir;
import io.github.macvlanshim.lab.PodmanService;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.IpRoute2HostNetwork;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;

/**
 * The same source against a real rootful Podman service (Debian's podman 4.3 with netavark) in the lab's host
 * namespace, through its Docker-compatible API and its own network listing: containers on a macvlan network of
 * eth0 are routed as they run, both ways, IPv4 and IPv6, and no longer once stopped or removed.
 */
@Tag("lab")
class PodmanEngineLabTest {

    private static final Duration ROUTED_WITHIN = Duration.ofSeconds(3);

    private static Lab lab;
    private static String host;
    private static PodmanService podman;

    @BeforeAll
    static void startPodman() {
        LabDir.sweepStale();
        Lab.sweepStale();
        lab = Lab.create();
        try {
            host = lab.hostNetns();
            podman = PodmanService.start(host);
            podman.podman("network", "create", "-d", "macvlan", "--subnet", "198.51.100.0/24", "--gateway",
                    "198.51.100.1", "--ip-range", "198.51.100.176/28", "--ipv6", "--subnet", "2001:db8:100::/64",
                    "--gateway", "2001:db8:100::1", "-o", "parent=eth0", "pmac0");
        } catch (RuntimeException e) {
            stopPodman();
            throw e;
        }
    }

    @AfterAll
    static void stopPodman() {
        try {
            if (podman != null) {
                podman.close();
            }
        } finally {
            lab.close();
        }
    }

    @Test
    void podmanContainersAreRoutedBothWaysIpv4AndIpv6UntilStoppedOrRemoved() {
        EngineSettings settings = new EngineSettings(List.of(new ShimSpec("mynet", "eth0", Optional.empty(),
                Optional.empty(), List.of())), Duration.ofSeconds(30), 77, OnStop.KEEP, false, Optional.of(host));
        DockerInstanceSource source = DockerInstanceSource.at(podman.socket(), new DockerInstanceSource.Timing(
                Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofMillis(200)));
        try (Engine engine = Engine.start(settings, new IpRoute2HostNetwork(settings.netns()), List.of(source), report -> {
        })) {
            podman.run("q1", "--network", "pmac0", "--ip", "198.51.100.121", "--ip6", "2001:db8:100::121");
            podman.run("q2", "--network", "pmac0");
            String assigned = podman.podman("inspect", "-f", "{{(index .NetworkSettings.Networks \"pmac0\").IPAddress}}",
                    "q2").strip();
            assertThat(assigned).startsWith("198.51.100.17");

            assertThat(Wait.until(ROUTED_WITHIN, () -> routes().containsAll(List.of("198.51.100.121 dev mynet",
                    "2001:db8:100::121 dev mynet", assigned + " dev mynet")))).as("routed within %s", ROUTED_WITHIN)
                    .isTrue();
            assertThat(source.engine()).hasValueSatisfying(found -> assertThat(found.toString()).startsWith("Podman 4."));
            assertThat(engine.reconcile("test").sources()).singleElement().satisfies(status -> assertThat(
                    status.daemon()).as("Podman, not Docker, named in the status").startsWith("Podman 4.")
                    .endsWith(" at " + podman.socket()));
            assertThat(lab.awaitPing(host, "198.51.100.121", Duration.ofSeconds(3))).as("host to q1, IPv4").isTrue();
            assertThat(lab.awaitPing(host, "2001:db8:100::121", Duration.ofSeconds(3))).as("host to q1, IPv6").isTrue();
            assertThat(lab.awaitPing(host, assigned, Duration.ofSeconds(3))).as("host to q2 (IPAM)").isTrue();
            assertThat(pingFrom("q1", Lab.HOST_IPV4)).as("q1 to its host, IPv4").isTrue();
            assertThat(pingFrom("q1", Lab.HOST_IPV6)).as("q1 to its host, IPv6").isTrue();

            podman.stop("q1");
            assertThat(Wait.until(ROUTED_WITHIN, () -> !routes().contains("198.51.100.121 dev mynet")
                    && !routes().contains("2001:db8:100::121 dev mynet"))).as("routes gone after stop").isTrue();

            podman.remove("q2");
            assertThat(Wait.until(ROUTED_WITHIN, () -> !routes().contains(assigned + " dev mynet")))
                    .as("route gone after rm").isTrue();
            engine.reconcile("test");
            assertThat(routes()).isEmpty();
        } finally {
            podman.podman("rm", "-a", "-f", "-t", "0");
        }
    }

    private boolean pingFrom(String container, String address) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                podman.podman("exec", container, "ping", "-c", "1", "-W", "1", address);
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
