package io.github.macvlanshim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.macvlanshim.agent.RunningAgent.Result;
import io.github.macvlanshim.lab.Wait;

/**
 * The monitoring kit (monitoring/, /usr/share/macvlan-shim/ in the .deb) against a real agent in a lab: its
 * series pass promtool, the dashboard asks only for series it exports, and Debian's Prometheus server, run in
 * the agent's namespace with the shipped rules (their {@code for:} shortened to fit a test), scrapes it and
 * raises the conflict alert while a foreign route blocks a wanted address, and clears it when it is gone.
 */
@Tag("lab")
class MonitoringKitIT {

    static final Path KIT = Path.of("../monitoring");
    private static final String METRICS = "http://127.0.0.1:" + RunningAgent.PORT + "/q/metrics";
    private static final int PROMETHEUS_PORT = 9090;

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

    /** The Prometheus text format (0.0.4), which promtool reads; without asking, Quarkus answers OpenMetrics. */
    private static String scrape() {
        return agent.curl(METRICS, "Accept: text/plain");
    }

    @Test
    void ourSeriesPassPromtoolCheckMetrics() throws IOException {
        String ours = scrape().lines()
                .filter(line -> line.startsWith("macvlan_shim_") || line.matches("# (HELP|TYPE) macvlan_shim_.*"))
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(ours).contains("# HELP macvlan_shim_repairs_total ").contains("macvlan_shim_build_info{version=")
                .containsPattern("macvlan_shim_source_up\\{source=\"static\",?\\} 1\\.0")
                .contains("macvlan_shim_reconcile_failures_total 0.0");
        Path file = Files.createTempFile("metrics-", ".txt");
        try {
            Files.writeString(file, ours);
            Result check = RunningAgent.run(List.of("promtool", "check", "metrics"), file);
            assertThat(check.output()).as("promtool's findings").isEmpty();
            assertThat(check.exitCode()).isZero();
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void everyDashboardQueryUsesOnlySeriesTheAgentExports() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(KIT.resolve("macvlan-shim-dashboard.json").toFile());
        List<String> queries = dashboard.findValues("expr").stream().map(JsonNode::asText).toList();
        assertThat(queries).hasSizeGreaterThan(10);
        Set<String> exported = scrape().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
        exported.add("up"); // Prometheus's own series for every target
        Set<String> used = new TreeSet<>();
        for (String query : queries) {
            Set<String> names = DashboardQueries.metricNames(query);
            assertThat(names).as("series in " + query).isNotEmpty();
            used.addAll(names);
        }
        used.addAll(DashboardQueries.metricNames(dashboard.at("/templating/list/1/definition").asText()));
        assertThat(exported).as("series the agent exports").containsAll(used);
    }

    @Test
    void aRealPrometheusScrapesTheAgentAndAlertsOnAConflictUntilItIsGone() throws Exception {
        Path dir = Files.createTempDirectory("prometheus-");
        Process prometheus = null;
        try {
            // The shipped rules, with every for: shortened: the expressions under test are the real ones.
            String rules = Files.readString(KIT.resolve("macvlan-shim-rules.yml")).replaceAll("for: \\d+m", "for: 2s");
            Files.writeString(dir.resolve("rules.yml"), rules);
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    rule_files:
                      - rules.yml
                    scrape_configs:
                    """ + Files.readString(KIT.resolve("prometheus-scrape.yml")).replace("scrape_interval: 30s",
                    "scrape_interval: 1s").lines().filter(line -> !line.startsWith("#"))
                    .map(line -> "  " + line).collect(Collectors.joining("\n", "", "\n")));
            Path log = dir.resolve("prometheus.log");
            prometheus = new ProcessBuilder("ip", "netns", "exec", agent.lab.hostNetns(), "prometheus",
                    "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + PROMETHEUS_PORT).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            Process running = prometheus;

            assertThat(Wait.until(Duration.ofSeconds(30), () -> api("targets").contains("\"health\":\"up\"")))
                    .as("the agent's target is up; Prometheus log:\n" + Files.readString(log)).isTrue();
            assertThat(running.isAlive()).isTrue();
            assertThat(alerts()).doesNotContain("MacvlanShimConflict");

            agent.blockSpareWithAForeignRoute();
            try {
                assertThat(Wait.until(Duration.ofSeconds(30), () -> firing("MacvlanShimConflict")))
                        .as("the conflict alert fires; alerts: " + alerts()).isTrue();
                assertThat(alerts()).contains("\"shim\":\"mynet\"").contains("conflicts on shim mynet");
            } finally {
                agent.removeForeignRoute();
            }
            assertThat(Wait.until(Duration.ofSeconds(30), () -> !alerts().contains("MacvlanShimConflict")))
                    .as("the alert clears once the foreign route is gone; alerts: " + alerts()).isTrue();
        } finally {
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static String api(String what) {
        return agent.curl("http://127.0.0.1:" + PROMETHEUS_PORT + "/api/v1/" + what);
    }

    private static String alerts() {
        return api("alerts");
    }

    private static boolean firing(String alert) {
        try {
            JsonNode list = new ObjectMapper().readTree(alerts()).at("/data/alerts");
            for (JsonNode node : list) {
                if (node.at("/labels/alertname").asText().equals(alert) && node.get("state").asText().equals("firing")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
