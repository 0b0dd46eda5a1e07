package io.github.macvlanshim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.Wait;

/**
 * The packaged agent, as an operator runs it, killed with SIGKILL while it applies a large plan, then started
 * again: it converges to exactly the wanted routes, each once, and nothing that is not its own changed. The
 * shim's lock dies with the killed process, so the restart is not refused; a third agent started beside the
 * second is. Runs against each {@link AgentBuild}.
 */
@Tag("lab")
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.macvlanshim.agent.AgentBuild#available")
class AgentSigkillLabTest {

    private static final int ROUTES = 4000;
    private static final String C1_V4 = "198.51.100.253";
    private static final String C1_V6 = "2001:db8:100::253";
    private static final Duration START_WITHIN = Duration.ofSeconds(120);

    @Parameter
    AgentBuild build;

    @TempDir
    Path work;

    private Lab lab;
    private String host;
    private final List<Process> agents = new ArrayList<>();

    @BeforeAll
    static void sweep() {
        Lab.sweepStale();
    }

    @BeforeEach
    void createLab() {
        lab = Lab.create();
        host = lab.hostNetns();
        lab.addContainer("c1", C1_V4, C1_V6);
    }

    @AfterEach
    void stopAgentsAndLab() {
        try {
            for (Process agent : agents) {
                stop(agent);
            }
        } finally {
            lab.close();
        }
    }

    /**
     * {@code withItsIp}: the agent's {@code ip -batch} child is killed too, as systemd kills a service's whole
     * control group; otherwise only the JVM dies and the batch it had handed over runs to its end.
     */
    @ParameterizedTest(name = "its ip -batch killed too: {0}")
    @ValueSource(booleans = { false, true })
    void killedMidPlanAndRestartedItConvergesWithNoDuplicateOrStrayRouteAndNothingElseChanged(boolean withItsIp)
            throws Exception {
        Set<String> wanted = new HashSet<>();
        List<String> statics = new ArrayList<>(List.of(C1_V4, C1_V6));
        IntStream.range(0, ROUTES).mapToObj(i -> "2001:db8:100::" + Integer.toHexString(0x1000 + i)).forEach(statics::add);
        statics.forEach(a -> wanted.add(a + " dev mynet"));
        writeConfig(statics);
        String linksBefore = linksOtherThanShim();
        String foreignBefore = foreignRoutes();
        String eth0Before = lab.ip(host, "-o", "address", "show", "dev", "eth0");

        Process first;
        long started;
        boolean batchRunning;
        Process monitor = new ProcessBuilder("ip", "-n", host, "-o", "monitor", "route")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Thread.sleep(150); // ip monitor gives no sign that it has subscribed
            CompletableFuture<Void> firstOwnedRoute = CompletableFuture.runAsync(() -> awaitLine(monitor, "proto 77"));
            started = System.nanoTime();
            first = startAgent("first");
            firstOwnedRoute.get(START_WITHIN.toSeconds(), TimeUnit.SECONDS);
            List<ProcessHandle> children = first.descendants().toList();
            first.destroyForcibly(); // SIGKILL
            List<ProcessHandle> batches = children.stream().filter(AgentSigkillLabTest::isBatch).toList();
            batchRunning = batches.stream().anyMatch(ProcessHandle::isAlive);
            if (withItsIp) {
                batches.forEach(ProcessHandle::destroyForcibly);
            }
            first.onExit().get(10, TimeUnit.SECONDS);
            // An `ip -batch` left alive runs to its end; the agent's `ip monitor` would linger until it next writes
            // to the closed pipe: that one is stopped here, by PID.
            for (ProcessHandle child : children) {
                if (!isBatch(child)) {
                    child.destroyForcibly();
                }
                child.onExit().get(30, TimeUnit.SECONDS);
            }
        } finally {
            monitor.destroy();
            monitor.waitFor(5, TimeUnit.SECONDS);
        }
        List<String> afterKill = routes();
        System.out.printf("agent killed %d ms after start, at its first owned route%s; %d of %d owned routes in place after%n",
                (System.nanoTime() - started) / 1_000_000, withItsIp ? " with its ip -batch" : "", afterKill.size(),
                wanted.size());
        assertThat(batchRunning).as("killed while its ip -batch was applying the plan").isTrue();
        if (withItsIp) {
            assertThat(afterKill.size()).as("the plan was cut short").isGreaterThan(0).isLessThan(wanted.size());
        } else {
            assertThat(afterKill).as("a batch handed over whole runs to its end").hasSize(wanted.size());
        }
        assertThat(foreignRoutes()).as("no route of another protocol appeared").isEqualTo(foreignBefore);

        long restarted = System.nanoTime();
        Process second = startAgent("second");
        assertThat(Wait.until(START_WITHIN, () -> routes().size() >= wanted.size() || !second.isAlive()))
                .as("the restarted agent converges; its log:%n%s", log("second")).isTrue();
        assertThat(second.isAlive()).as("the restart was not refused; its log:%n%s", log("second")).isTrue();
        System.out.printf("restarted agent: %d owned routes in place %d ms after its start%n", routes().size(),
                (System.nanoTime() - restarted) / 1_000_000);
        Thread.sleep(500); // anything still in flight would show now

        List<String> owned = routes();
        assertThat(owned).as("each wanted route exactly once, no other owned route").hasSize(wanted.size())
                .doesNotHaveDuplicates();
        assertThat(new HashSet<>(owned)).isEqualTo(wanted);
        assertThat(foreignRoutes()).as("routes that are not ours").isEqualTo(foreignBefore);
        assertThat(linksOtherThanShim()).as("links other than the shim").isEqualTo(linksBefore);
        assertThat(lab.ip(host, "-o", "link", "show").lines().filter(l -> l.contains(" mynet@eth0:")).count()).isEqualTo(1);
        assertThat(lab.ip(host, "-o", "address", "show", "dev", "eth0")).isEqualTo(eth0Before);
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).isTrue();
        assertThat(lab.awaitPing(host, C1_V6, Duration.ofSeconds(3))).isTrue();

        Process third = startAgent("third");
        assertThat(third.waitFor(START_WITHIN.toSeconds(), TimeUnit.SECONDS)).as("a third agent on the same shim stops").isTrue();
        assertThat(third.exitValue()).isNotZero();
        long inode = ((Number) Files.getAttribute(Path.of("/run/netns", host), "unix:ino")).longValue();
        assertThat(log("third")).contains("route protocol 77 in network namespace net:[" + inode + "] (/run/netns/" + host
                + ") is already managed").contains("PID " + second.pid()).contains("netns-" + inode + "+proto-77.lock");
        assertThat(second.isAlive()).isTrue();
        assertThat(routes()).hasSize(wanted.size());
    }

    private void writeConfig(List<String> statics) throws IOException {
        // The working directory's config/application.properties: the agent's own file, however /etc is handled.
        Path config = work.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("application.properties"), String.join("\n",
                "quarkus.macvlan-shim.netns=" + host,
                "quarkus.macvlan-shim.shims.mynet.parent=eth0",
                "quarkus.macvlan-shim.shims.mynet.static-routes=" + String.join(",", statics),
                "quarkus.macvlan-shim.lxd.socket=none",
                // The test's own, never the host's /var/lib/macvlan-shim.
                "quarkus.macvlan-shim.state-file=" + work.resolve("sources.json"),
                "quarkus.http.port=0",
                "") , StandardCharsets.UTF_8);
    }

    private Process startAgent(String name) throws IOException {
        Process process = new ProcessBuilder(build.command(List.of("-Dquarkus.management.port=" + freePort())))
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile()).start();
        agents.add(process);
        return process;
    }

    private String log(String name) {
        try {
            return Files.readString(work.resolve(name + ".log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGTERM, then SIGKILL by PID if it lingers; its children too. */
    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static boolean isBatch(ProcessHandle process) {
        return process.info().arguments().map(args -> List.of(args).contains("-batch")).orElse(false);
    }

    private static void awaitLine(Process monitor, String text) {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.contains(text)) {
                    return;
                }
            }
            throw new IllegalStateException("ip monitor ended before a line with '" + text + "'");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private List<String> routes() {
        return lab.routesWithProtocol(host, 77);
    }

    private String linksOtherThanShim() {
        return lab.ip(host, "-o", "link", "show").lines().filter(line -> !line.contains(" mynet@eth0:"))
                .collect(Collectors.joining("\n"));
    }

    private String foreignRoutes() {
        return (lab.ip(host, "-4", "route", "show", "table", "main") + lab.ip(host, "-6", "route", "show", "table", "main"))
                .lines().filter(line -> !line.contains("proto 77"))
                // The kernel's own link-local route on the shim comes with the shim.
                .filter(line -> !line.startsWith("fe80::/64 dev mynet proto kernel"))
                .collect(Collectors.joining("\n"));
    }
}
