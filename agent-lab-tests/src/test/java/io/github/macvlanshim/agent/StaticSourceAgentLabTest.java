package io.github.macvlanshim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.macvlanshim.lab.Cmd;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.Wait;

/**
 * The packaged agent, JVM and native build alike, with the static source in a lab: its routes, the pings they
 * carry, a deleted route repaired, health and metrics on the management port, the status command of the same
 * build, and what SIGTERM leaves behind with on-stop=keep and on-stop=remove.
 */
@Tag("lab")
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.macvlanshim.agent.AgentBuild#available")
class StaticSourceAgentLabTest {

    private static final String C1_V4 = "198.51.100.253";
    private static final String C1_V6 = "2001:db8:100::253";
    private static final List<String> OWNED = List.of(C1_V4 + " dev mynet", C1_V6 + " dev mynet");
    /**
     * 128 + SIGTERM: what both builds exit with once their shutdown has run, as a JVM does; the units count it as a
     * clean stop (SuccessExitStatus=143).
     */
    private static final int STOPPED_BY_SIGTERM = 143;
    /** A route of another protocol through the shim's parent: on-stop=remove must leave it. */
    private static final String FOREIGN = "203.0.113.9";

    @Parameter
    AgentBuild build;

    @RegisterExtension
    final Agents agents = Agents.withFreshLab();

    private Lab lab;
    private String host;

    @BeforeEach
    void addContainer() {
        lab = agents.lab();
        host = lab.hostNetns();
        lab.addContainer("c1", C1_V4, C1_V6);
    }

    @Test
    void itRoutesItsStaticAddressesThePingsAnswerAndHealthAndMetricsSayWhatItDid() {
        RunningAgent agent = start("keep");
        long readyMillis = agent.awaitReady();
        System.out.printf("%s agent ready %d ms after its start%n", build, readyMillis);

        assertThat(routes()).containsExactlyInAnyOrderElementsOf(OWNED);
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).as("IPv4 ping to the container").isTrue();
        assertThat(lab.awaitPing(host, C1_V6, Duration.ofSeconds(3))).as("IPv6 ping to the container").isTrue();

        HttpResponse<String> ready = agent.get("/q/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\": \"UP\"", "\"shim.mynet.state\": \"ok\"", "\"shim.mynet.routes\": 2");
        assertThat(agent.get("/q/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = agent.get("/q/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body().lines().filter(l -> l.startsWith("macvlan_shim_routes{shim=\"mynet\"}")).toList())
                .as("the routes gauge").singleElement().satisfies(line -> assertThat(line).endsWith(" 2.0"));
        assertThat(metrics.body()).contains("macvlan_shim_route_changes_total");

        // The status command of the same build (its HTTP client and JSON reading), as an operator runs it beside.
        Cmd.Result status = agent.command("status");
        assertThat(status.exitCode()).as("status: %s%s", status.stdout(), status.stderr()).isZero();
        assertThat(status.stdout()).containsPattern("^macvlan-shim \\S+: ready\n")
                .containsPattern("(?m)^mynet +eth0 +up +ok ").contains("static  reachable  2", "2 routes owned");
        Cmd.Result json = agent.command("status", "--json");
        assertThat(json.exitCode()).as("status --json: %s%s", json.stdout(), json.stderr()).isZero();
        assertThat(json.stdout().replaceAll("\\s", "")).contains("\"ready\":true", "\"destination\":\"" + C1_V4 + "/32\"",
                "\"destination\":\"" + C1_V6 + "/128\"");
        Cmd.Result routes = agent.command("routes");
        assertThat(routes.exitCode()).as("routes: %s%s", routes.stdout(), routes.stderr()).isZero();
        assertThat(routes.stdout()).containsPattern("(?m)^" + C1_V4.replace(".", "\\.") + "/32 +mynet +no +static mynet$");
        assertThat(agent.log()).doesNotContain("Exception", "ERROR");
    }

    @Test
    void aRouteDeletedBehindItsBackIsPutBackWithinASecond() {
        RunningAgent agent = start("keep");
        agent.awaitReady();

        lab.ip(host, "route", "del", C1_V4, "dev", "mynet", "proto", "77");
        long deleted = System.nanoTime();

        assertThat(Wait.until(Duration.ofSeconds(1), () -> routes().containsAll(OWNED))).as("repaired; log:%n%s",
                agent.log()).isTrue();
        System.out.printf("%s agent repaired the route in %d ms%n", build, (System.nanoTime() - deleted) / 1_000_000);
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).isTrue();
    }

    @Test
    void sigtermWithOnStopKeepLeavesTheShimAndRoutesAndTheNextAgentAdoptsThem() {
        RunningAgent first = start("keep");
        first.awaitReady();

        int status = first.terminate();

        assertThat(status).as("exit status after SIGTERM; log:%n%s", first.log()).isEqualTo(STOPPED_BY_SIGTERM);
        assertThat(routes()).containsExactlyInAnyOrderElementsOf(OWNED);
        assertThat(shimLinks()).hasSize(1);
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).as("still reachable with no agent").isTrue();
        Cmd.Result noAgent = first.command("status");
        assertThat(noAgent.exitCode()).as("status with no agent: %s%s", noAgent.stdout(), noAgent.stderr()).isEqualTo(3);
        assertThat(noAgent.stderr()).contains("the agent does not answer at http://127.0.0.1:");

        RunningAgent second = start("keep");
        second.awaitReady();
        assertThat(routes()).as("adopted, not duplicated").containsExactlyInAnyOrderElementsOf(OWNED);
        assertThat(shimLinks()).hasSize(1);
    }

    @Test
    void sigtermWithOnStopRemoveRemovesExactlyWhatIsItsOwn() {
        lab.ip(host, "route", "add", FOREIGN, "dev", "eth0", "proto", "static");
        String foreignBefore = foreignRoutes();
        RunningAgent agent = start("remove");
        agent.awaitReady();
        assertThat(routes()).containsExactlyInAnyOrderElementsOf(OWNED);

        int status = agent.terminate();

        assertThat(status).as("exit status after SIGTERM; log:%n%s", agent.log()).isEqualTo(STOPPED_BY_SIGTERM);
        assertThat(routes()).as("owned routes").isEmpty();
        assertThat(shimLinks()).as("the shim").isEmpty();
        assertThat(foreignRoutes()).as("routes that are not ours").isEqualTo(foreignBefore).contains(FOREIGN);
        assertThat(agent.childrenWhenSignalled()).as("no child outlives the agent")
                .allSatisfy(child -> assertThat(Wait.until(Duration.ofSeconds(5), () -> !child.isAlive())).isTrue());
    }

    private RunningAgent start(String onStop) {
        return agents.config().shimInLab(lab)
                .set("quarkus.macvlan-shim.shims.mynet.static-routes", C1_V4 + "," + C1_V6)
                .set("quarkus.macvlan-shim.lxd.socket", "none")
                .set("quarkus.macvlan-shim.on-stop", onStop)
                .start(build, "agent-" + System.nanoTime());
    }

    private List<String> routes() {
        return lab.routesWithProtocol(host, 77);
    }

    private List<String> shimLinks() {
        return lab.ip(host, "-o", "link", "show").lines().filter(l -> l.contains(" mynet@eth0:")).toList();
    }

    private String foreignRoutes() {
        return (lab.ip(host, "-4", "route", "show", "table", "main") + lab.ip(host, "-6", "route", "show", "table", "main"))
                .lines().filter(line -> !line.contains("proto 77") && !line.contains("dev mynet"))
                .collect(Collectors.joining("\n"));
    }
}
