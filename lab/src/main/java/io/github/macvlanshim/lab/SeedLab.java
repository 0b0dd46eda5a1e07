package io.github.macvlanshim.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The situation macvlan-shim exists for, live: three LXD hosts (lxd1 198.51.100.61, lxd2 .62, lxd3 .63) on one
 * LAN with a router at .1, each running a real LXD daemon with containers on macvlan NICs of its eth0, IPv4
 * from DHCP; lxd3 also runs a real Docker engine with one container on a macvlan network of the same eth0, served
 * by the same shim and agent as its LXD container. It prints who reaches whom before the agents run, starts one agent per host, prints it again,
 * deletes a container and shows its route gone on its own host only, shows one agent's readiness and meters,
 * and tears everything down, also on failure or Ctrl-C. {@link #run} returns true only if every pair it expects
 * reachable answered and every pair it expects blocked did not.
 * <p>
 * Everything lives in network namespaces it makes ({@link Lab}), with documentation addresses only.
 */
public final class SeedLab {

    /** One LXD host of the seed lab and the containers it runs. */
    public record HostSpec(String name, String ipv4, String ipv6, List<String> containers,
            List<DockerSpec> dockerContainers) {

        HostSpec(String name, String ipv4, String ipv6, List<String> containers) {
            this(name, ipv4, ipv6, containers, List.of());
        }
    }

    /** A Docker container on the host's macvlan network, at fixed addresses (Docker does not ask DHCP). */
    public record DockerSpec(String name, String ipv4, String ipv6) {
    }

    /** The seed lab. lxd2 is the lab's first host (198.51.100.62); the others are added beside it. */
    public static final List<HostSpec> HOSTS = List.of(
            new HostSpec("lxd1", "198.51.100.61", "2001:db8:100::61", List.of("c11", "c12")),
            new HostSpec("lxd2", Lab.HOST_IPV4, Lab.HOST_IPV6, List.of("c21", "c22")),
            new HostSpec("lxd3", "198.51.100.63", "2001:db8:100::63", List.of("c31"),
                    List.of(new DockerSpec("d31", "198.51.100.231", "2001:db8:100::231"))));

    /** Docker's own address range on the LAN, away from the DHCP server's (.100-.150) and the hosts'. */
    private static final String DOCKER_IP_RANGE = "198.51.100.224/28";

    /** The container deleted to show its route go; it lives on {@link #HOSTS}' first host. */
    public static final String DELETED = "c12";

    private static final Duration PING_WAIT = Duration.ofSeconds(2);
    private static final int PROTOCOL = 77;

    /** Something that pings: the router, a host, or a container (through its daemon's {@code lxc exec}). */
    private interface Pinger {
        boolean pingOnce(String address);
    }

    private record Node(String name, Pinger pinger, String ipv4, String ipv6, String host) {
    }

    private record Agent(HostSpec host, Process process, int port, Path log) {
    }

    private final Path agentJar;
    private final PrintStream out;
    private final ExecutorService pool = Executors.newFixedThreadPool(48, runnable -> {
        Thread thread = new Thread(runnable, "seed-lab");
        thread.setDaemon(true);
        return thread;
    });

    private volatile boolean interrupted;
    private final CountDownLatch tornDown = new CountDownLatch(1);

    private SeedLab(Path agentJar, PrintStream out) {
        this.agentJar = agentJar;
        this.out = out;
    }

    public static void main(String[] args) {
        Path jar = Path.of(args.length > 0 ? args[0] : "agent/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            System.err.println("the agent is not built: " + jar + " is missing (mvn -B install -DskipTests)");
            System.exit(2);
        }
        boolean ok = run(jar, System.out);
        System.out.println(ok ? "\nSEED LAB PASSED: every pair behaved as expected."
                : "\nSEED LAB FAILED: see the cells marked '!' and the messages above.");
        System.exit(ok ? 0 : 1);
    }

    /** Builds the lab, shows the problem and the fix, tears everything down; true if all went as expected. */
    public static boolean run(Path agentJar, PrintStream out) {
        SeedLab seed = new SeedLab(agentJar, out);
        try {
            return seed.run();
        } finally {
            seed.pool.shutdownNow();
        }
    }

    private boolean run() {
        LabDir.sweepStale();
        Lab.sweepStale();
        List<LabDaemon> daemons = new ArrayList<>();
        List<Agent> agents = new ArrayList<>();
        // Ctrl-C: stop the agents, make the main thread give up at its next step, and wait for it to tear down.
        Thread main = Thread.currentThread();
        Thread onInterrupt = new Thread(() -> {
            interrupted = true;
            agents.forEach(agent -> agent.process().destroyForcibly());
            main.interrupt();
            try {
                tornDown.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "seed-lab-interrupt");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try (Lab lab = Lab.create(); Dhcp dhcp = Dhcp.start(lab)) {
            try {
                out.println("== Building: LAN 198.51.100.0/24 + 2001:db8:100::/64, router .1, three LXD hosts"
                        + " (lxd3 with Docker too)");
                Map<String, String> netnsByHost = new LinkedHashMap<>();
                for (HostSpec host : HOSTS) {
                    netnsByHost.put(host.name(), host.ipv4().equals(Lab.HOST_IPV4) ? lab.hostNetns()
                            : lab.addHost(host.name(), host.ipv4(), host.ipv6()));
                }
                Map<String, LxdDaemon> lxdByHost = new LinkedHashMap<>();
                for (HostSpec host : HOSTS) {
                    checkpoint();
                    LxdDaemon lxd = LxdDaemon.start(netnsByHost.get(host.name()));
                    daemons.add(lxd);
                    lxdByHost.put(host.name(), lxd);
                }
                Map<String, DockerDaemon> dockerByHost = new LinkedHashMap<>();
                for (HostSpec host : HOSTS) {
                    if (!host.dockerContainers().isEmpty()) {
                        checkpoint();
                        DockerDaemon docker = DockerDaemon.start(netnsByHost.get(host.name()));
                        daemons.add(0, docker);
                        dockerByHost.put(host.name(), docker);
                    }
                }
                List<Node> nodes = new ArrayList<>();
                nodes.add(new Node("router", inNamespace(lab.lanNetns()), Lab.ROUTER_IPV4, Lab.ROUTER_IPV6, ""));
                HOSTS.forEach(host -> nodes.add(new Node(host.name(), inNamespace(netnsByHost.get(host.name())),
                        host.ipv4(), host.ipv6(), "")));
                nodes.addAll(launchContainers(lxdByHost));
                nodes.addAll(runDockerContainers(dockerByHost));

                checkpoint();
                out.println("\n== Before the agents: each host and its own containers cannot reach each other");
                boolean ok = matrix(nodes, false);

                for (HostSpec host : HOSTS) {
                    checkpoint();
                    agents.add(startAgent(host, netnsByHost.get(host.name()), lxdByHost.get(host.name()),
                            dockerByHost.get(host.name())));
                }
                for (Agent agent : agents) {
                    awaitReady(agent);
                }
                checkpoint();
                out.println("\n== With one agent per host: everyone reaches everyone");
                ok &= matrix(nodes, true);

                checkpoint();
                ok &= deleteAndShowRouteGone(lab, netnsByHost, lxdByHost, nodes);
                showHealthAndMetrics(agents.get(0));
                agents.stream().filter(agent -> dockerByHost.containsKey(agent.host().name()))
                        .forEach(this::showBothSources);
                return ok;
            } finally {
                stopAgents(agents);
                closeAll(daemons);
            }
        } finally {
            tornDown.countDown();
            if (!interrupted) {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            }
        }
    }

    /** Gives up between steps once Ctrl-C was pressed; the finally blocks tear everything down. */
    private void checkpoint() {
        if (interrupted) {
            throw new IllegalStateException("interrupted: tearing everything down");
        }
    }

    /** Launches every container, gives each an IPv4 lease from DHCP and a static IPv6 address, all at once. */
    private List<Node> launchContainers(Map<String, LxdDaemon> lxdByHost) {
        List<Future<Node>> launched = new ArrayList<>();
        for (HostSpec host : HOSTS) {
            LxdDaemon lxd = lxdByHost.get(host.name());
            for (String container : host.containers()) {
                lxd.launch(container);
                String ipv6 = "2001:db8:100::" + container.substring(1);
                launched.add(pool.submit(() -> {
                    String ipv4 = lxd.dhcp(container);
                    lxd.setAddress(container, null, ipv6 + "/64");
                    return new Node(container, inContainer(lxd, container), ipv4, ipv6, host.name());
                }));
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (Future<Node> node : launched) {
            nodes.add(join(node));
        }
        nodes.forEach(node -> out.printf("   %-4s on %s: %s (DHCP), %s%n", node.name(), node.host(), node.ipv4(), node.ipv6()));
        return nodes;
    }

    /** Makes each Docker host's macvlan network on eth0 and runs its containers there. */
    private List<Node> runDockerContainers(Map<String, DockerDaemon> dockerByHost) {
        List<Node> nodes = new ArrayList<>();
        for (HostSpec host : HOSTS) {
            DockerDaemon docker = dockerByHost.get(host.name());
            if (docker == null) {
                continue;
            }
            docker.docker("network", "create", "-d", "macvlan", "--subnet", "198.51.100.0/24", "--gateway",
                    Lab.ROUTER_IPV4, "--ip-range", DOCKER_IP_RANGE, "--ipv6", "--subnet", "2001:db8:100::/64",
                    "--gateway", Lab.ROUTER_IPV6, "-o", "parent=eth0", "lan");
            for (DockerSpec container : host.dockerContainers()) {
                docker.run(container.name(), "--network", "lan", "--ip", container.ipv4(), "--ip6", container.ipv6());
                String pid = docker.docker("inspect", "-f", "{{.State.Pid}}", container.name()).strip();
                out.printf("   %-4s on %s: %s, %s (Docker)%n", container.name(), host.name(), container.ipv4(),
                        container.ipv6());
                nodes.add(new Node(container.name(), address -> Cmd.ok("nsenter", "-t", pid, "-n", "ping", "-c", "1",
                        "-W", "1", address), container.ipv4(), container.ipv6(), host.name()));
            }
        }
        return nodes;
    }

    private static Pinger inNamespace(String netns) {
        return address -> Cmd.ok("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "1", address);
    }

    /** Pings from inside the container's network namespace, entered through its init process. */
    private static Pinger inContainer(LxdDaemon lxd, String container) {
        Matcher pid = Pattern.compile("\"pid\":\\s*(\\d+)").matcher(lxd.query("/1.0/instances/" + container + "/state"));
        if (!pid.find()) {
            throw new IllegalStateException("no pid in the state of " + container);
        }
        String init = pid.group(1);
        return address -> Cmd.ok("nsenter", "-t", init, "-n", "ping", "-c", "1", "-W", "1", address);
    }

    private boolean matrix(List<Node> nodes, boolean withAgents) {
        Map<String, Future<Boolean>> results = new LinkedHashMap<>();
        for (Node from : nodes) {
            for (Node to : nodes) {
                if (from != to) {
                    results.put(key(from, to, "4"), pool.submit(() -> ping(from, to.ipv4())));
                    results.put(key(from, to, "6"), pool.submit(() -> ping(from, to.ipv6())));
                }
            }
        }
        StringBuilder header = new StringBuilder(String.format("   %-8s", "from\\to"));
        nodes.forEach(node -> header.append(String.format("%-8s", node.name())));
        out.println(header);
        boolean ok = true;
        for (Node from : nodes) {
            StringBuilder row = new StringBuilder(String.format("   %-8s", from.name()));
            for (Node to : nodes) {
                if (from == to) {
                    row.append(String.format("%-8s", "-"));
                    continue;
                }
                boolean blocked = !withAgents && ownContainer(from, to);
                StringBuilder cell = new StringBuilder();
                for (String family : List.of("4", "6")) {
                    boolean reached = join(results.get(key(from, to, family)));
                    ok &= reached != blocked;
                    cell.append(reached ? family : "-").append(reached == blocked ? "!" : "");
                }
                row.append(String.format("%-8s", cell));
            }
            out.println(row);
        }
        out.println("   (4/6: answered over IPv4/IPv6, -: no answer, !: not what was expected)");
        return ok;
    }

    private static String key(Node from, Node to, String family) {
        return from.name() + ">" + to.name() + "/" + family;
    }

    /** A host and a container it runs: the pair macvlan keeps apart. */
    private static boolean ownContainer(Node a, Node b) {
        return a.name().equals(b.host()) || b.name().equals(a.host());
    }

    private static boolean ping(Node from, String address) {
        long until = System.nanoTime() + PING_WAIT.toNanos();
        do {
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            if (from.pinger().pingOnce(address)) {
                return true;
            }
        } while (System.nanoTime() < until);
        return false;
    }

    /** The agent for {@code host}: its LXD, and its Docker engine or none (never the machine's own). */
    private Agent startAgent(HostSpec host, String netns, LxdDaemon lxd, DockerDaemon docker) {
        try {
            int port = freePort();
            Path log = Files.createTempFile("macvlan-shim-agent-" + host.name() + "-", ".log");
            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // The lab's whole configuration is here: never a host's /etc/macvlan-shim/agent.properties.
                    "-Dmacvlan-shim.config=" + emptyConfig(log),
                    "-Dquarkus.macvlan-shim.netns=" + netns,
                    "-Dquarkus.macvlan-shim.shims.mynet.parent=eth0",
                    "-Dquarkus.macvlan-shim.lxd.socket=" + lxd.socket(),
                    "-Dquarkus.macvlan-shim.docker.socket=" + (docker == null ? "none" : docker.socket()),
                    "-Dquarkus.management.port=" + port,
                    "-Dquarkus.http.port=0",
                    "-jar", agentJar.toString());
            out.printf("%n== Starting the agent for %s (log %s)%n", host.name(), log);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new Agent(host, process, port, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the agent for " + host.name(), e);
        }
    }

    /** An empty configuration file beside the agent's log, removed with it. */
    private static Path emptyConfig(Path log) throws IOException {
        Path config = Path.of(log + ".properties");
        Files.writeString(config, "# the seed lab configures its agents with -D\n");
        return config;
    }

    private void awaitReady(Agent agent) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && agent.process().isAlive()) {
            checkpoint();
            if (get(agent, "/q/health/ready").map(response -> response.statusCode() == 200).orElse(false)) {
                out.printf("   agent for %s ready%n", agent.host().name());
                return;
            }
            sleep(200);
        }
        throw new IllegalStateException("the agent for " + agent.host().name() + " did not become ready within 60 s; its log:\n"
                + tail(agent.log()));
    }

    private boolean deleteAndShowRouteGone(Lab lab, Map<String, String> netnsByHost, Map<String, LxdDaemon> lxdByHost,
            List<Node> nodes) {
        HostSpec owner = HOSTS.get(0);
        Node deleted = nodes.stream().filter(node -> node.name().equals(DELETED)).findFirst().orElseThrow();
        String route = deleted.ipv4() + " dev mynet";
        out.printf("%n== Deleting %s (%s) on %s%n", DELETED, deleted.ipv4(), owner.name());
        boolean hadRoute = lab.routesWithProtocol(netnsByHost.get(owner.name()), PROTOCOL).contains(route);
        lxdByHost.get(owner.name()).deleteInstance(DELETED, true);
        boolean gone = Wait.until(Duration.ofSeconds(3),
                () -> !lab.routesWithProtocol(netnsByHost.get(owner.name()), PROTOCOL).contains(route));
        boolean ok = hadRoute && gone;
        for (HostSpec host : HOSTS) {
            List<String> routes = lab.routesWithProtocol(netnsByHost.get(host.name()), PROTOCOL);
            boolean has = routes.stream().anyMatch(r -> r.startsWith(deleted.ipv4() + " ") || r.startsWith(deleted.ipv6() + " "));
            ok &= !has;
            out.printf("   %s owns %d routes%s%n", host.name(), routes.size(),
                    host == owner ? ", the one to " + deleted.ipv4() + (gone ? " is gone" : " is STILL THERE !")
                            : (has ? ", and one to " + deleted.ipv4() + " !" : ", none ever to " + deleted.ipv4()));
        }
        return ok;
    }

    private void showHealthAndMetrics(Agent agent) {
        out.printf("%n== %s's agent: http://127.0.0.1:%d/q/health/ready%n", agent.host().name(), agent.port());
        get(agent, "/q/health/ready").ifPresent(response -> out.println("   " + response.body().replaceAll("\\s+", " ")));
        out.printf("== and a few lines of /q/metrics%n");
        get(agent, "/q/metrics").ifPresent(response -> response.body().lines()
                .filter(line -> line.startsWith("macvlan_shim_routes") || line.startsWith("macvlan_shim_route_changes_total")
                        || line.startsWith("macvlan_shim_reconcile_seconds_count"))
                .forEach(line -> out.println("   " + line)));
        out.printf("== and its log lines for changes%n");
        showChangeLog(agent);
    }

    /** The agent of a host with LXD and Docker: which daemons it reads, and the routes it made for both. */
    private void showBothSources(Agent agent) {
        out.printf("%n== %s's agent serves LXD and Docker instances through one shim%n", agent.host().name());
        get(agent, "/q/health/ready").ifPresent(response -> response.body().lines()
                .filter(line -> line.contains("\"source."))
                .forEach(line -> out.println("   " + line.strip())));
        showChangeLog(agent);
    }

    private void showChangeLog(Agent agent) {
        try {
            Files.readAllLines(agent.log()).stream().filter(line -> line.contains("route ") || line.contains("shim mynet created"))
                    .map(line -> line.replaceFirst("^.*\\) ", ""))
                    .forEach(line -> out.println("   " + line));
        } catch (IOException e) {
            out.println("   (cannot read " + agent.log() + ": " + e.getMessage() + ")");
        }
    }

    private void stopAgents(List<Agent> agents) {
        for (Agent agent : agents) {
            agent.process().destroy();
        }
        for (Agent agent : agents) {
            try {
                if (!agent.process().waitFor(10, TimeUnit.SECONDS)) {
                    agent.process().destroyForcibly();
                }
                Files.deleteIfExists(agent.log());
                Files.deleteIfExists(Path.of(agent.log() + ".properties"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                out.println("cannot remove " + agent.log() + ": " + e.getMessage());
            }
        }
    }

    private static void closeAll(List<LabDaemon> daemons) {
        RuntimeException failure = null;
        for (LabDaemon daemon : daemons) {
            try {
                daemon.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static java.util.Optional<HttpResponse<String>> get(Agent agent, String path) {
        try {
            return java.util.Optional.of(HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
                            .timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
