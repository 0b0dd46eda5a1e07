package io.github.macvlanshim.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.macvlanshim.lab.Cmd;
import io.github.macvlanshim.lab.Wait;

/** One agent process: its build, log, management port, and how it is stopped. */
final class RunningAgent {

    /** Generous: the JVM build starts in about 2 s here, but CI machines are busy. */
    static final Duration READY_WITHIN = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final AgentBuild build;
    private final String name;
    private final Process process;
    private final Path log;
    private final int port;
    private final Path config;
    private final long startedNanos;
    private List<ProcessHandle> children = List.of();

    private RunningAgent(AgentBuild build, String name, Process process, Path log, int port, Path config,
            long startedNanos) {
        this.build = build;
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
        this.config = config;
        this.startedNanos = startedNanos;
    }

    /** {@code config}: its properties file, or null when started without one. */
    static RunningAgent start(AgentBuild build, String name, Path dir, List<String> systemProperties, int port,
            Path config) {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(build.command(systemProperties)).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // The tests name the file themselves; an operator's variable must not move it.
        builder.environment().remove("MACVLAN_SHIM_CONFIG");
        long started = System.nanoTime();
        try {
            return new RunningAgent(build, name, builder.start(), log, port, config, started);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + build + " agent " + build.file(), e);
        }
    }

    AgentBuild build() {
        return build;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for GET /q/health/ready to answer 200: readiness needs the first reconcile to have converged.
     *
     * @return milliseconds from the process start to that answer
     */
    long awaitReady() {
        while (System.nanoTime() - startedNanos < READY_WITHIN.toNanos()) {
            if (!process.isAlive()) {
                throw new AssertionError("the " + build + " agent " + name + " exited with " + process.exitValue()
                        + " before it was ready; its log:\n" + log());
            }
            if (answers("/q/health/ready") == 200) {
                return (System.nanoTime() - startedNanos) / 1_000_000;
            }
            sleep(Duration.ofMillis(20));
        }
        throw new AssertionError("the " + build + " agent " + name + " was not ready within " + READY_WITHIN
                + "; its log:\n" + log());
    }

    /** GET {@code path} on the management port: status and body; status -1 when nothing answers. */
    HttpResponse<String> get(String path) {
        try {
            return HTTP.send(request(path), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " on the " + build + " agent " + name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs the same build with {@code args} (e.g. {@code status --json}) as an operator runs /usr/bin/macvlan-shim
     * beside this agent: {@code MACVLAN_SHIM_CONFIG} names this agent's file, where its management port is.
     */
    Cmd.Result command(String... args) {
        if (config == null) {
            throw new IllegalStateException("agent " + name + " was started without a properties file");
        }
        return Cmd.exec(Duration.ofSeconds(60), Map.of("MACVLAN_SHIM_CONFIG", config.toString()),
                build.command(List.of(), List.of(args)));
    }

    private int answers(String path) {
        try {
            return HTTP.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notListeningYet) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest request(String path) {
        if (port < 0) {
            throw new IllegalStateException("agent " + name + " was started without a management port of its own");
        }
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build();
    }

    /** SIGTERM, as systemd stops the unit; returns the exit status. Fails if it is not gone within 20 s. */
    int terminate() {
        children = process.descendants().toList();
        process.destroy();
        return awaitExit(Duration.ofSeconds(20));
    }

    /** SIGKILL to the agent alone, as a crash or the OOM killer; its children (ip monitor) are not signalled. */
    void kill() {
        children = process.descendants().toList();
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** The children the agent had when it was signalled (its {@code ip monitor}, any {@code ip -batch}). */
    List<ProcessHandle> childrenWhenSignalled() {
        return children;
    }

    /** Waits for the process to end by itself; returns its exit status. */
    int awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the " + build + " agent " + name + " still runs after " + within + "; its log:\n"
                        + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Whether the log shows {@code text} within {@code within}. */
    boolean awaitLog(String text, Duration within) {
        return Wait.until(within, () -> log().contains(text));
    }

    /** SIGTERM, SIGKILL by PID if it lingers; children too. Never throws: used in clean-up. */
    void stopQuietly() {
        List<ProcessHandle> all = new java.util.ArrayList<>(children);
        all.addAll(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return build + " agent " + name + " (PID " + process.pid() + ")";
    }
}
