package io.github.macvlanshim.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Docker engine (Debian's docker.io) inside one lab network namespace, with its data, exec root, pid file and
 * API socket in its own {@link LabDir}: no iptables, no bridge, no forwarding, nothing outside the namespace; the
 * image {@value #IMAGE} imported from the machine's static busybox.
 * <p>
 * {@link #close()} leaves nothing behind: containers removed, the engine stopped (SIGKILL by PID if it lingers),
 * every process under its directory (containerd, shims, containers) killed, the directory deleted, and the few files
 * dockerd writes outside it ({@code /etc/docker/key.json}, {@code /run/docker}, {@code /run/containerd}) removed
 * when it made them. The CLI used is Debian's {@value #CLI}, talking to this engine's socket only.
 */
public final class DockerDaemon extends LabDaemon {

    public static final String IMAGE = "bb";
    public static final String CLI = "/usr/bin/docker";
    public static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
    static final List<Path> OUTSIDE = List.of(Path.of("/etc/docker"), Path.of("/run/docker"), Path.of("/run/containerd"));

    private final List<String> options;

    private DockerDaemon(String netns, Path dir, List<String> options) {
        super("dockerd", netns, dir);
        this.options = List.copyOf(options);
    }

    /**
     * Starts an engine in {@code netns} and imports the busybox image. {@code options} go to dockerd as they are,
     * e.g. {@code --live-restore} (containers outlive a dead engine, as on many production hosts).
     */
    public static DockerDaemon start(String netns, String... options) {
        EngineLaunch.engineComing(OUTSIDE);
        return started(new DockerDaemon(netns, LabDir.create("docker"), List.of(options)), docker -> {
            docker.launch();
            docker.docker("import", "-c", "CMD [\"/bin/sh\"]", BusyboxImage.rootfsTarball().toString(), IMAGE);
        });
    }

    private void launch() {
        Path dir = dir();
        List<String> command = new ArrayList<>(List.of("dockerd", "--data-root", dir.resolve("data").toString(),
                "--exec-root", dir.resolve("exec").toString(), "--pidfile", dir.resolve("docker.pid").toString(),
                "-H", "unix://" + socket(), "--iptables=false", "--ip6tables=false", "--ip-forward=false",
                "--ip-masq=false", "--bridge=none"));
        command.addAll(options);
        ProcessHandle daemon = EngineLaunch.start(netns(), dir, Map.of(), command, dir.resolve("dockerd.log"));
        launched(daemon);
        if (!Wait.until(Duration.ofSeconds(30), () -> !daemon.isAlive() || UnixHttp.answers(socket(), "/_ping"))
                || !daemon.isAlive()) {
            throw new IllegalStateException("dockerd in " + netns() + " (" + dir + ") did not answer: " + logTail());
        }
    }

    /** The engine's API socket. */
    public Path socket() {
        return dir().resolve("docker.sock");
    }

    /** Runs {@code docker -H unix://SOCKET ARGS...}; returns stdout, throws with stderr if it failed. */
    public String docker(String... args) {
        List<String> command = new ArrayList<>(List.of(CLI, "-H", "unix://" + socket()));
        command.addAll(List.of(args));
        return Cmd.run(CLI_TIMEOUT, cliEnv(), command);
    }

    /** The raw JSON the API answers for {@code path}, e.g. {@code /containers/json}. */
    public String query(String path) {
        return UnixHttp.body(socket(), path);
    }

    /** {@code docker run -d --name NAME ARGS... bb sleep 100000}: ARGS such as {@code --network mac0 --ip ...}. */
    public void run(String name, String... args) {
        List<String> all = new ArrayList<>(List.of("run", "-d", "--name", name));
        all.addAll(List.of(args));
        all.addAll(List.of(IMAGE, "sleep", "100000"));
        docker(all.toArray(String[]::new));
    }

    /**
     * SIGKILLs the engine, as if it crashed: dockerd and the containerd it runs (the container shims, and so the
     * containers, live on).
     */
    public void kill() {
        if (isRunning()) {
            List<ProcessHandle> containerd = process().children()
                    .filter(child -> child.info().command().map(command -> command.endsWith("/containerd")).orElse(false))
                    .toList();
            killProcess();
            containerd.forEach(ProcessHandle::destroyForcibly);
            containerd.forEach(process -> process.onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).join());
        }
    }

    /** Starts the engine again on the same directory, after {@link #kill()}. */
    public void restart() {
        requireStopped();
        // A killed dockerd leaves its pid file (and its containerd's), and takes /proc/PID existing for the daemon
        // still running: a thread of any process may have that number by now.
        try {
            Files.deleteIfExists(dir().resolve("docker.pid"));
            Files.deleteIfExists(dir().resolve("exec/containerd/containerd.pid"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        launch();
    }

    public String logTail() {
        return tail(dir().resolve("dockerd.log"), 15);
    }

    /** Removes every container, then stops the engine (SIGTERM, then SIGKILL). */
    @Override
    protected void stop() {
        Cmd.Result listed = Cmd.exec(CLI_TIMEOUT, cliEnv(), List.of(CLI, "-H", "unix://" + socket(), "ps", "-aq"));
        List<String> ids = listed.stdout().lines().filter(line -> line.matches("[0-9a-f]{12,64}")).toList();
        if (!ids.isEmpty()) {
            List<String> remove = new ArrayList<>(List.of(CLI, "-H", "unix://" + socket(), "rm", "-f"));
            remove.addAll(ids);
            Cmd.exec(CLI_TIMEOUT, cliEnv(), remove);
        }
        process().destroy();
        awaitExitOrKill(Duration.ofSeconds(10));
    }

    /** The files dockerd wrote outside its directory go once the last engine of this JVM is gone. */
    @Override
    protected void removed() {
        EngineLaunch.engineGone();
    }

    /** The CLI's own config (and any context) stays out of it: DOCKER_CONFIG points into the lab directory. */
    private Map<String, String> cliEnv() {
        return Map.of("DOCKER_CONFIG", dir().resolve("cli").toString());
    }
}
