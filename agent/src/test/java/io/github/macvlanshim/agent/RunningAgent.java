package io.github.macvlanshim.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.macvlanshim.lab.Lab;

/**
 * The packaged agent (JVM jar) running in a fresh lab's host namespace on a configuration file of its own, as
 * the .deb runs it on a host: its management interface on 127.0.0.1:{@value #PORT} of that namespace. Closing
 * stops the agent and removes the lab and the file. Needs root.
 */
final class RunningAgent implements AutoCloseable {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final int PORT = 9000;
    static final String C1_V4 = "198.51.100.253";
    /** Wanted by config (a static route), held by no container: room for a foreign route to collide with. */
    static final String SPARE_V4 = "198.51.100.240";

    final Lab lab;
    final String container;
    final Path config;
    private final Process agent;
    private final Path log;

    private RunningAgent(Lab lab, String container, Path config, Process agent, Path log) {
        this.lab = lab;
        this.container = container;
        this.config = config;
        this.agent = agent;
        this.log = log;
    }

    static RunningAgent start() throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing; build it with mvn package -pl agent -am");
        }
        Lab.sweepStale();
        Lab lab = Lab.create();
        Path config = null;
        Path log = null;
        Process agent = null;
        try {
            String container = lab.addContainer("c1", C1_V4, "2001:db8:100::253");
            config = Files.createTempFile("agent-", ".properties");
            Files.writeString(config, String.join("\n",
                    "quarkus.macvlan-shim.shims.mynet.parent=eth0",
                    "quarkus.macvlan-shim.shims.mynet.static-routes=" + C1_V4 + "," + SPARE_V4,
                    "quarkus.macvlan-shim.lxd.socket=none",
                    // Run through ip netns exec, without the netns key: the state file would be the machine's.
                    "quarkus.macvlan-shim.state-file=none",
                    "quarkus.macvlan-shim.reconcile.interval=2s",
                    "quarkus.management.port=" + PORT, ""), StandardCharsets.UTF_8);
            String java = ProcessHandle.current().info().command().orElse("java");
            log = Files.createTempFile("agent-", ".log");
            agent = new ProcessBuilder("ip", "netns", "exec", lab.hostNetns(), "env", "MACVLAN_SHIM_CONFIG=" + config,
                    java, "-jar", JAR.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            RunningAgent running = new RunningAgent(lab, container, config, agent, log);
            running.awaitAnswer();
            return running;
        } catch (IOException | RuntimeException e) {
            if (agent != null) {
                stop(agent);
            }
            lab.close();
            deleteQuietly(config);
            deleteQuietly(log);
            throw e;
        }
    }

    private void awaitAnswer() throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!curl("http://127.0.0.1:" + PORT + "/q/health/ready").contains("\"UP\"")) {
            if (!agent.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the agent did not become ready on 127.0.0.1:" + PORT + "; its log:\n"
                        + Files.readString(log));
            }
            sleep(300);
        }
    }

    /** GET from inside the agent's namespace; the body, or "" when nothing answers. */
    String curl(String url, String... headers) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.hostNetns(), "curl", "-s", "-m", "5"));
        for (String header : headers) {
            command.add("-H");
            command.add(header);
        }
        command.add(url);
        return run(command, null).output();
    }

    record Result(int exitCode, String output) {
    }

    /** Runs a command; its standard output (and error, when asked to merge) and exit status. */
    static Result run(List<String> command, Path stdin) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            if (stdin != null) {
                builder.redirectInput(stdin.toFile());
            }
            Process process = builder.redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not end within 60 s");
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The agent's log so far, for failure messages. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Replaces our route to the spare address with a foreign one in one batch, so no reconcile slips between. */
    void blockSpareWithAForeignRoute() {
        for (int attempt = 0; attempt < 5
                && !lab.ip(lab.hostNetns(), "route", "show", SPARE_V4 + "/32").contains("proto static"); attempt++) {
            Path batch = null;
            try {
                batch = Files.createTempFile("batch-", ".ip");
                Files.writeString(batch, "route del " + SPARE_V4 + "/32 dev mynet proto 77\n"
                        + "route add " + SPARE_V4 + "/32 dev eth0 proto static\n");
                run(List.of("ip", "-n", lab.hostNetns(), "-force", "-batch", batch.toString()), null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                deleteQuietly(batch);
            }
        }
        if (!lab.ip(lab.hostNetns(), "route", "show", SPARE_V4 + "/32").contains("proto static")) {
            throw new IllegalStateException("could not put a foreign route to " + SPARE_V4 + " in place");
        }
    }

    void removeForeignRoute() {
        lab.ip(lab.hostNetns(), "route", "del", SPARE_V4 + "/32", "dev", "eth0", "proto", "static");
    }

    @Override
    public void close() {
        try {
            stop(agent);
        } finally {
            lab.close();
            deleteQuietly(config);
            deleteQuietly(log);
        }
    }

    private static void stop(Process agent) {
        agent.destroy();
        try {
            if (!agent.waitFor(20, TimeUnit.SECONDS)) {
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A temporary file left behind is no reason to hide the test's own outcome.
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
