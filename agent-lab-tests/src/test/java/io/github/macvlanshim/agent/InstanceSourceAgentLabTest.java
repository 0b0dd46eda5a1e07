package io.github.macvlanshim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.Wait;

/**
 * The packaged agent, JVM and native build alike, reading a real container manager ({@link InstanceHost.Kind}:
 * LXD and Docker) in a lab: instances routed as they come and go, and a daemon killed and started again that costs no
 * route and whose later changes are followed. Each kind's daemon is started once and shared by the builds.
 */
@Tag("lab")
@ParameterizedClass(name = "{0} source, {1} agent")
@MethodSource("sourcesAndBuilds")
class InstanceSourceAgentLabTest {

    /**
     * Events, not the 30 s full reconcile, must bring each change: well under 30 s, with room for a loaded CI
     * machine (the source polls a started instance's state with backoff until its addresses are there).
     */
    private static final Duration FOLLOWED_WITHIN = Duration.ofSeconds(10);
    /** The source reconnects with backoff after its daemon is back. */
    private static final Duration RECONNECTED_WITHIN = Duration.ofSeconds(30);
    private static final Map<InstanceHost.Kind, InstanceHost> HOSTS = new EnumMap<>(InstanceHost.Kind.class);

    @Parameter(0)
    InstanceHost.Kind kind;

    @Parameter(1)
    AgentBuild build;

    @RegisterExtension
    final Agents agents = Agents.inLabOfTheTest();

    private InstanceHost daemon;
    private Lab lab;
    private String host;

    static Stream<Arguments> sourcesAndBuilds() {
        return Stream.of(InstanceHost.Kind.values())
                .flatMap(kind -> AgentBuild.available().stream().map(build -> Arguments.of(kind, build)));
    }

    @BeforeEach
    void daemon() {
        daemon = HOSTS.computeIfAbsent(kind, InstanceHost.Kind::start);
        lab = daemon.lab();
        host = lab.hostNetns();
    }

    @AfterEach
    void removeContainers() {
        daemon.removeAll();
    }

    @AfterAll
    static void stopDaemons() {
        try {
            HOSTS.values().forEach(InstanceHost::close);
        } finally {
            HOSTS.clear();
        }
    }

    @Test
    void instancesRunningAtStartAndStartedLaterAreRoutedAndReachableAndARemovedOneLosesItsRoute() {
        daemon.run("c1", "198.51.100.201", "2001:db8:100::201");
        RunningAgent agent = start();
        long readyMillis = agent.awaitReady();
        System.out.printf("%s agent with the %s source ready %d ms after its start%n", build, kind, readyMillis);
        assertThat(routes()).as("routed by the first reconcile; log:%n%s", agent.log())
                .containsExactlyInAnyOrder("198.51.100.201 dev mynet", "2001:db8:100::201 dev mynet");
        assertThat(lab.awaitPing(host, "198.51.100.201", Duration.ofSeconds(3))).isTrue();
        assertThat(lab.awaitPing(host, "2001:db8:100::201", Duration.ofSeconds(3))).isTrue();

        // Its IPv4 address is set first: an address that comes after the instance's first is the full reconcile's
        // (the LXD source stops polling an instance once it has addresses), so only the first is awaited here.
        daemon.run("c2", "198.51.100.202", "2001:db8:100::202");
        assertThat(Wait.until(FOLLOWED_WITHIN, () -> routes().contains("198.51.100.202 dev mynet")))
                .as("a later instance routed; log:%n%s", agent.log()).isTrue();
        assertThat(lab.awaitPing(host, "198.51.100.202", Duration.ofSeconds(3))).isTrue();

        daemon.remove("c2");
        assertThat(Wait.until(FOLLOWED_WITHIN, () -> routes().stream().noneMatch(r -> r.contains("::202 ") || r.contains(".202 "))))
                .as("the removed instance's routes gone; log:%n%s", agent.log()).isTrue();
        assertThat(routes()).containsExactlyInAnyOrder("198.51.100.201 dev mynet", "2001:db8:100::201 dev mynet");
        assertThat(agent.log()).doesNotContain("Exception");
    }

    @Test
    void aDaemonKilledAndBackCostsNoRouteAndItsLaterChangesAreFollowed() {
        daemon.run("c3", "198.51.100.203", "2001:db8:100::203");
        RunningAgent agent = start();
        agent.awaitReady();
        assertThat(routes()).containsExactlyInAnyOrder("198.51.100.203 dev mynet", "2001:db8:100::203 dev mynet");

        daemon.kill();
        // Long enough for the source to notice, try to reconnect and fail a few times.
        Wait.until(Duration.ofSeconds(3), () -> false);
        assertThat(agent.isAlive()).as("the agent outlives its daemon; log:%n%s", agent.log()).isTrue();
        assertThat(routes()).as("a source down never causes deletions")
                .containsExactlyInAnyOrder("198.51.100.203 dev mynet", "2001:db8:100::203 dev mynet");
        assertThat(lab.awaitPing(host, "198.51.100.203", Duration.ofSeconds(3))).isTrue();
        assertThat(agent.get("/q/health/live").statusCode()).isEqualTo(200);

        daemon.restart();
        daemon.run("c4", "198.51.100.204", "2001:db8:100::204");
        assertThat(Wait.until(RECONNECTED_WITHIN, () -> routes().contains("198.51.100.204 dev mynet")))
                .as("an instance started after the daemon came back is routed; log:%n%s", agent.log()).isTrue();
        daemon.remove("c3");
        assertThat(Wait.until(FOLLOWED_WITHIN, () -> routes().stream().noneMatch(r -> r.contains(".203 ") || r.contains("::203 "))))
                .as("an instance removed after the daemon came back loses its routes; log:%n%s", agent.log()).isTrue();
        assertThat(lab.awaitPing(host, "198.51.100.204", Duration.ofSeconds(3))).isTrue();
    }

    private RunningAgent start() {
        return agents.config().shimInLab(lab).setAll(daemon.agentConfig())
                .set("quarkus.macvlan-shim.on-stop", "remove")
                .start(build, "agent-" + System.nanoTime());
    }

    private List<String> routes() {
        return lab.routesWithProtocol(host, 77);
    }
}
