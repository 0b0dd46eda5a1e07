package io.github.macvlanshim.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real rootful Podman API service (Debian's podman, {@code podman system service}) inside one lab network
 * namespace, with its storage, run root, network definitions, events log and socket in its own {@link LabDir}, set
 * by private containers.conf and storage.conf files (nothing in /etc is read or changed), and the image
 * {@value #IMAGE} imported from the machine's static busybox.
 * <p>
 * Containers get {@code nofile} and {@code nproc} ulimits of 1024: Podman's defaults exceed this machine's hard
 * limits, and then no container starts ("error setting rlimit type 7"). {@link #close()} removes every container,
 * stops the service by PID, kills what is left under its directory (conmon outlives the service), deletes the
 * directory, and removes the files Podman writes outside it when it made them.
 */
public final class PodmanService extends LabDaemon {

    public static final String IMAGE = "localhost/bb";
    public static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
    static final List<Path> OUTSIDE = List.of(Path.of("/run/containers"), Path.of("/run/libpod"),
            Path.of("/var/lib/containers"), Path.of("/run/runc"));

    private final Map<String, String> env;

    private PodmanService(String netns, Path dir) {
        super("podman", netns, dir);
        this.env = Map.of("CONTAINERS_CONF", dir.resolve("containers.conf").toString(), "CONTAINERS_STORAGE_CONF",
                dir.resolve("storage.conf").toString(), "TMPDIR", dir.resolve("tmp").toString());
    }

    /** Starts a service in {@code netns} and imports the busybox image. */
    public static PodmanService start(String netns) {
        EngineLaunch.engineComing(OUTSIDE);
        return started(new PodmanService(netns, LabDir.create("podman")), podman -> {
            podman.configure();
            podman.launch();
            podman.podman("import", BusyboxImage.rootfsTarball().toString(), "bb");
        });
    }

    private void configure() {
        Path dir = dir();
        try {
            Files.createDirectories(dir.resolve("tmp"));
            Files.createDirectories(dir.resolve("net"));
            Files.writeString(dir.resolve("containers.conf"), """
                    [containers]
                    default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
                    [engine]
                    cgroup_manager = "cgroupfs"
                    events_logger = "file"
                    events_logfile_path = "%1$s/events.log"
                    tmp_dir = "%1$s/libpod"
                    [network]
                    network_config_dir = "%1$s/net"
                    """.formatted(dir), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("storage.conf"), """
                    [storage]
                    driver = "vfs"
                    runroot = "%1$s/runroot"
                    graphroot = "%1$s/root"
                    """.formatted(dir), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure Podman in " + dir, e);
        }
    }

    private void launch() {
        Path dir = dir();
        ProcessHandle service = EngineLaunch.start(netns(), dir, env, List.of("podman", "--root",
                dir.resolve("root").toString(), "--runroot", dir.resolve("runroot").toString(), "system", "service",
                "--time=0", "unix://" + socket()), dir.resolve("service.log"));
        launched(service);
        if (!Wait.until(Duration.ofSeconds(30), () -> !service.isAlive() || UnixHttp.answers(socket(), "/_ping"))
                || !service.isAlive()) {
            throw new IllegalStateException("podman system service in " + netns() + " (" + dir + ") did not answer: "
                    + logTail());
        }
    }

    /** The service's API socket (Docker-compatible and libpod). */
    public Path socket() {
        return dir().resolve("podman.sock");
    }

    /** Runs {@code podman --remote --url unix://SOCKET ARGS...}; returns stdout, throws with stderr if it failed. */
    public String podman(String... args) {
        List<String> command = new ArrayList<>(List.of("podman", "--remote", "--url", "unix://" + socket()));
        command.addAll(List.of(args));
        return Cmd.run(CLI_TIMEOUT, env, command);
    }

    /** The raw JSON the API answers for {@code path}. */
    public String query(String path) {
        return UnixHttp.body(socket(), path);
    }

    /** {@code podman run -d --name NAME ARGS... localhost/bb sleep 100000}. */
    public void run(String name, String... args) {
        List<String> all = new ArrayList<>(List.of("run", "-d", "--name", name));
        all.addAll(List.of(args));
        all.addAll(List.of(IMAGE, "sleep", "100000"));
        podman(all.toArray(String[]::new));
    }

    /** Stops a container at once: busybox sleep as PID 1 ignores SIGTERM, so a polite stop would wait 10 s. */
    public void stop(String name) {
        podman("stop", "-t", "0", name);
    }

    /** Removes a container, running or not, at once. */
    public void remove(String name) {
        podman("rm", "-f", "-t", "0", name);
    }

    public String logTail() {
        return tail(dir().resolve("service.log"), 15);
    }

    /** Removes every container, then stops the service (SIGTERM, then SIGKILL). */
    @Override
    protected void stop() {
        Cmd.exec(CLI_TIMEOUT, env, List.of("podman", "--remote", "--url", "unix://" + socket(), "rm", "-a", "-f", "-t",
                "0"));
        process().destroy();
        awaitExitOrKill(Duration.ofSeconds(10));
    }

    /** The files Podman wrote outside its directory go once the last engine of this JVM is gone. */
    @Override
    protected void removed() {
        EngineLaunch.engineGone();
    }
}
