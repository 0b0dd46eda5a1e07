package io.github.macvlanshim.lab;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The problem and the fix, live: a LAN, a host, two containers on macvlan children of the host's eth0.
 * Prints who reaches whom, starts the agent for the host, prints it again, shows the agent's readiness and
 * meters, and tears everything down. Exits 0 only if every pair is reachable or blocked as expected.
 * Run as root: {@code java -cp lab/target/classes io.github.macvlanshim.lab.Demo agent/target/quarkus-app/quarkus-run.jar}.
 */
public final class Demo {

    private record Node(String name, String netns, String ipv4, String ipv6) {
    }

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        Path agentJar = Path.of(args.length > 0 ? args[0] : "agent/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(agentJar)) {
            System.err.println("agent not built: " + agentJar + " is missing (mvn -B install -DskipTests)");
            System.exit(2);
        }
        Lab.sweepStale();
        boolean ok;
        try (Lab lab = Lab.create()) {
            List<Node> nodes = List.of(
                    new Node("router", lab.lanNetns(), Lab.ROUTER_IPV4, Lab.ROUTER_IPV6),
                    new Node("host", lab.hostNetns(), Lab.HOST_IPV4, Lab.HOST_IPV6),
                    new Node("c1", lab.addContainer("c1", "198.51.100.201", "2001:db8:100::201"), "198.51.100.201",
                            "2001:db8:100::201"),
                    new Node("c2", lab.addContainer("c2", "198.51.100.202", "2001:db8:100::202"), "198.51.100.202",
                            "2001:db8:100::202"));

            System.out.println("== Before the agent: the host and its own macvlan containers cannot reach each other");
            ok = matrix(lab, nodes, false);

            int port = freePort();
            Process agent = startAgent(agentJar, lab.hostNetns(), port);
            try {
                String ready = awaitReady(port, agent);
                System.out.println("\n== The agent is ready: " + ready);
                System.out.println("   routes it owns on the host (proto 77):");
                for (String family : List.of("-4", "-6")) {
                    lab.ip(lab.hostNetns(), family, "route", "show", "proto", "77").lines()
                            .forEach(line -> System.out.println("     " + line.strip()));
                }
                System.out.println("\n== With the agent: everyone reaches everyone");
                ok &= matrix(lab, nodes, true);
                System.out.println("\n== A few meters from http://127.0.0.1:" + port + "/q/metrics");
                get(port, "/q/metrics").lines().filter(line -> line.startsWith("macvlan_shim_")).limit(8)
                        .forEach(line -> System.out.println("   " + line));
            } finally {
                agent.destroy();
                if (!agent.waitFor(10, TimeUnit.SECONDS)) {
                    agent.destroyForcibly();
                }
            }
        }
        System.out.println(ok ? "\nEvery pair behaved as expected." : "\nSome pair did not behave as expected.");
        System.exit(ok ? 0 : 1);
    }

    /** Pings every pair in both families at once and prints a table; true if all match the expectation. */
    private static boolean matrix(Lab lab, List<Node> nodes, boolean withAgent) {
        Map<String, CompletableFuture<Boolean>> results = new LinkedHashMap<>();
        for (Node from : nodes) {
            for (Node to : nodes) {
                if (from != to) {
                    results.put(from.name() + ">" + to.name() + "/4",
                            CompletableFuture.supplyAsync(() -> lab.awaitPing(from.netns(), to.ipv4(), Duration.ofSeconds(2))));
                    results.put(from.name() + ">" + to.name() + "/6",
                            CompletableFuture.supplyAsync(() -> lab.awaitPing(from.netns(), to.ipv6(), Duration.ofSeconds(2))));
                }
            }
        }
        StringBuilder header = new StringBuilder(String.format("   %-8s", "from\\to"));
        nodes.forEach(node -> header.append(String.format("%-10s", node.name())));
        System.out.println(header);
        boolean ok = true;
        for (Node from : nodes) {
            StringBuilder row = new StringBuilder(String.format("   %-8s", from.name()));
            for (Node to : nodes) {
                if (from == to) {
                    row.append(String.format("%-10s", "-"));
                    continue;
                }
                boolean blockedByDesign = !withAgent && isHostAndContainer(from, to);
                List<String> cell = new ArrayList<>();
                for (String family : List.of("4", "6")) {
                    boolean reached = results.get(from.name() + ">" + to.name() + "/" + family).join();
                    ok &= reached != blockedByDesign;
                    cell.add((reached ? "v" + family : "--") + (reached == blockedByDesign ? "!" : ""));
                }
                row.append(String.format("%-10s", String.join(" ", cell)));
            }
            System.out.println(row);
        }
        System.out.println("   (v4/v6: reached over IPv4/IPv6, --: no answer, !: not what was expected)");
        return ok;
    }

    private static boolean isHostAndContainer(Node a, Node b) {
        return (a.name().equals("host") && b.name().startsWith("c")) || (b.name().equals("host") && a.name().startsWith("c"));
    }

    private static Process startAgent(Path jar, String netns, int port) throws IOException {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.macvlan-shim.netns=" + netns,
                "-Dquarkus.macvlan-shim.shims.mynet.parent=eth0",
                "-Dquarkus.macvlan-shim.shims.mynet.static-routes=198.51.100.201,2001:db8:100::201,198.51.100.202,2001:db8:100::202",
                "-Dquarkus.management.port=" + port,
                "-Dquarkus.http.port=0",
                "-jar", jar.toString());
        System.out.println("\n== Starting the agent for the host: java -D...netns=" + netns + " -jar " + jar);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String awaitReady(int port, Process agent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && agent.isAlive()) {
            try {
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return response.body().replaceAll("\\s+", " ");
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the agent did not become ready within 60 s");
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
