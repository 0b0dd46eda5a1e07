package io.github.macvlanshim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.macvlanshim.agent.RunningAgent.Result;
import io.github.macvlanshim.lab.Wait;

/**
 * {@code macvlan-shim status} and {@code routes} as the .deb's /usr/bin/macvlan-shim runs them (the agent's jar
 * with a subcommand), against the packaged agent running in a lab, reading the port from the agent's file.
 */
@Tag("lab")
class StatusCommandIT {

    private static RunningAgent agent;

    @BeforeAll
    static void startAgent() throws IOException {
        agent = RunningAgent.start();
    }

    @AfterAll
    static void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    private static Result command(Path config, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", agent.lab.hostNetns(), "env",
                "MACVLAN_SHIM_CONFIG=" + config, java, "-jar", RunningAgent.JAR.toString()));
        command.addAll(Arrays.asList(args));
        return RunningAgent.run(command, null);
    }

    @Test
    void statusPrintsAlignedTablesAndExitsZeroWhenReady() {
        Result status = command(agent.config, "status");

        assertThat(status.exitCode()).as(status.output()).isZero();
        List<String> lines = status.output().lines().toList();
        assertThat(lines.get(0)).matches("macvlan-shim \\S+: ready");
        String header = lines.stream().filter(line -> line.startsWith("SHIM ")).findFirst().orElseThrow();
        String row = lines.get(lines.indexOf(header) + 1);
        assertThat(row).startsWith("mynet ");
        // Aligned: every column of the row starts where its heading does (headings are two spaces apart).
        for (String[] cell : new String[][] {{"PARENT", "eth0"}, {"PARENT STATE", "up"}, {"STATE", "ok"}}) {
            assertThat(row.indexOf("  " + cell[1] + " ") + 2).as(cell[0]).isEqualTo(header.indexOf("  " + cell[0] + "  ") + 2);
        }
        assertThat(status.output()).contains("static  reachable  2").contains("2 routes owned");
    }

    @Test
    void statusJsonIsTheDocumentWithEveryRouteAndTheInstanceItServes() throws IOException {
        Result status = command(agent.config, "status", "--json");

        assertThat(status.exitCode()).as(status.output()).isZero();
        JsonNode doc = new ObjectMapper().readTree(status.output());
        assertThat(doc.get("ready").asBoolean()).isTrue();
        assertThat(doc.at("/shims/0/mac").asText()).matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
        assertThat(doc.at("/lastReconcile/outcome").asText()).isEqualTo("converged");
        assertThat(doc.get("routes")).anySatisfy(route -> {
            assertThat(route.get("destination").asText()).isEqualTo(RunningAgent.C1_V4 + "/32");
            assertThat(route.at("/instances/0/source").asText()).isEqualTo("static");
            assertThat(route.at("/instances/0/instance").asText()).isEqualTo("mynet");
        });
    }

    @Test
    void routesListsEachRouteWithItsInstances() {
        Result routes = command(agent.config, "routes");

        assertThat(routes.exitCode()).as(routes.output()).isZero();
        assertThat(routes.output()).containsPattern("(?m)^DESTINATION +SHIM +LINKDOWN +INSTANCES$")
                .containsPattern("(?m)^" + RunningAgent.C1_V4.replace(".", "\\.") + "/32 +mynet +no +static mynet$");
    }

    @Test
    void statusExitsOneAndNamesTheReasonWhileTheParentHasNoCarrier() {
        agent.lab.ip(agent.lab.lanNetns(), "link", "set", "to-host", "down");
        try {
            assertThat(Wait.until(Duration.ofSeconds(5), () -> command(agent.config, "status").exitCode() == 1))
                    .as("not ready once the parent loses its carrier").isTrue();
            Result status = command(agent.config, "status");
            assertThat(status.output()).startsWith("macvlan-shim ").contains(": NOT READY\n")
                    .contains("  - parent eth0 of shim mynet has no carrier (link down)")
                    .containsPattern("(?m)^mynet +eth0 +no carrier +ok ");
            assertThat(command(agent.config, "routes").output()).containsPattern("/32 +mynet +yes +static mynet");
        } finally {
            agent.lab.ip(agent.lab.lanNetns(), "link", "set", "to-host", "up");
        }
        assertThat(Wait.until(Duration.ofSeconds(5), () -> command(agent.config, "status").exitCode() == 0)).isTrue();
    }

    @Test
    void anAgentThatDoesNotAnswerIsExitThreeWithAMessage() throws IOException {
        Path elsewhere = Files.createTempFile("agent-", ".properties");
        try {
            Files.writeString(elsewhere, "quarkus.management.port=9\n");
            Result status = command(elsewhere, "status");
            assertThat(status.exitCode()).isEqualTo(StatusCommand.UNREACHABLE);
            assertThat(status.output()).contains("the agent does not answer at http://127.0.0.1:9/q/macvlan-shim/status");
        } finally {
            Files.delete(elsewhere);
        }
    }
}
