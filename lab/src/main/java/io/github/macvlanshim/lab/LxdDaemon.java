package io.github.macvlanshim.lab;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real LXD or Incus daemon inside one lab network namespace, with its own {@code LXD_DIR} or {@code INCUS_DIR}
 * (a {@link LabDir}), set up
 * for an offline machine: no image auto-update, a {@code dir} storage pool {@code default}, the default
 * profile's root disk, a profile {@value #MACVLAN_PROFILE} whose eth0 is a macvlan NIC on the host's eth0, and
 * the image {@value #IMAGE} (busybox, built locally).
 * <p>
 * {@link #close()} leaves nothing behind: the daemon and every process under its directory (container monitors,
 * containers) are stopped by PID, mounts under the directory are undone, and the directory is deleted. A
 * shutdown hook does the same if a test forgets, and {@link LabDir#sweepStale()} does it for a JVM that died.
 * <p>
 * Every client call ({@code lxc} or {@code incus}) runs with the daemon's directory and a client config of its own
 * ({@code LXD_CONF}, {@code INCUS_CONF}), stdin /dev/null and a timeout. The client only talks to the unix socket,
 * so it runs in the root namespace safely. Incus is LXD's fork with the same API and client verbs: one class
 * drives both, {@link Flavor} holds what differs.
 */
public final class LxdDaemon extends LabDaemon {

    public static final String IMAGE = "busybox";
    public static final String MACVLAN_PROFILE = "macvlan";
    public static final Duration LXC_TIMEOUT = Duration.ofSeconds(60);

    /** What differs between the two daemons: commands and environment variables. */
    public enum Flavor {
        LXD("lxd", List.of("lxd"), "lxc", List.of("lxd"), "LXD_DIR", "LXD_CONF"),
        /** Debian's incus (bookworm-backports): the daemon is not on PATH; its admin verbs are under "incus admin". */
        INCUS("incus", List.of("/usr/libexec/incus/incusd"), "incus", List.of("incus", "admin"), "INCUS_DIR",
                "INCUS_CONF");

        private final String kind;
        private final List<String> daemon;
        private final String client;
        private final List<String> admin;
        private final String dirVariable;
        private final String confVariable;

        Flavor(String kind, List<String> daemon, String client, List<String> admin, String dirVariable,
                String confVariable) {
            this.kind = kind;
            this.daemon = daemon;
            this.client = client;
            this.admin = admin;
            this.dirVariable = dirVariable;
            this.confVariable = confVariable;
        }

        /** The variable that points the daemon and its client at a directory: LXD_DIR, INCUS_DIR. */
        public String dirVariable() {
            return dirVariable;
        }

        List<String> admin(String... args) {
            List<String> command = new ArrayList<>(admin);
            command.addAll(List.of(args));
            return command;
        }
    }

    /** How long each start-up step took, for reports. */
    public record StartTimes(Duration daemonReady, Duration configured, Duration imageImported) {
    }

    private final Flavor flavor;
    private final Map<String, String> env;
    private StartTimes startTimes;

    private LxdDaemon(Flavor flavor, String netns, Path dir) {
        super(flavor.kind, netns, dir);
        this.flavor = flavor;
        this.env = Map.of(flavor.dirVariable, dir.toString(), flavor.confVariable, dir.resolve("client").toString());
    }

    /** Starts a daemon in {@code netns}, configured for the lab and with the busybox image imported. */
    public static LxdDaemon start(String netns) {
        return start(Flavor.LXD, netns, true);
    }

    /** Starts an Incus daemon in {@code netns}, configured as {@link #start(String)} configures LXD. */
    public static LxdDaemon startIncus(String netns) {
        return start(Flavor.INCUS, netns, true);
    }

    /**
     * Starts a bare daemon in {@code netns}: no storage, profiles or image, for {@code lxd init --preseed}
     * (see {@link #preseed(String)}), as a cluster member needs.
     */
    public static LxdDaemon startBare(String netns) {
        return start(Flavor.LXD, netns, false);
    }

    private static LxdDaemon start(Flavor flavor, String netns, boolean configure) {
        return started(new LxdDaemon(flavor, netns, LabDir.create(flavor.kind)), lxd -> {
            long t0 = System.nanoTime();
            lxd.launchDaemon();
            long t1 = System.nanoTime();
            Duration configured = Duration.ZERO;
            Duration imported = Duration.ZERO;
            if (configure) {
                lxd.configure();
                long t2 = System.nanoTime();
                lxd.importImage();
                configured = Duration.ofNanos(t2 - t1);
                imported = Duration.ofNanos(System.nanoTime() - t2);
            }
            lxd.startTimes = new StartTimes(Duration.ofNanos(t1 - t0), configured, imported);
        });
    }

    private void launchDaemon() {
        Path dir = dir();
        String netns = netns();
        try {
            Files.createDirectories(dir.resolve("client"));
            List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", netns));
            command.addAll(flavor.daemon);
            command.addAll(List.of("--logfile", log().toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.out").toFile()));
            builder.environment().putAll(env);
            // ip netns exec execs the daemon in place, so this PID is the daemon's.
            ProcessHandle daemon = builder.start().toHandle();
            launched(daemon);
            Files.writeString(dir.resolve("daemon"), Lab.ownerTag(daemon) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + flavor.kind + " in " + netns, e);
        }
        Cmd.Result ready = Cmd.exec(Duration.ofSeconds(40), env, flavor.admin("waitready", "--timeout", "30"));
        if (!ready.succeeded() || !isRunning()) {
            throw new IllegalStateException(flavor.kind + " in " + netns + " (" + dir + ") did not become ready: "
                    + ready.stderr().strip() + "; log: " + logTail());
        }
    }

    private void configure() {
        lxc("config", "set", "images.auto_update_interval", "0");
        lxc("storage", "create", "default", "dir");
        lxc("profile", "device", "add", "default", "root", "disk", "path=/", "pool=default");
        // A busybox init ignores LXD's shutdown signal; without this, lxd shutdown waits 30 s per container.
        lxc("profile", "set", "default", "boot.host_shutdown_timeout", "1");
        lxc("profile", "create", MACVLAN_PROFILE);
        lxc("profile", "device", "add", MACVLAN_PROFILE, "eth0", "nic", "nictype=macvlan", "parent=eth0");
    }

    /** Imports the locally built busybox image under the alias {@value #IMAGE}. */
    public void importImage() {
        lxc("image", "import", BusyboxImage.tarball().toString(), "--alias", IMAGE);
    }

    private Path log() {
        return dir().resolve(flavor.kind + ".log");
    }

    /** Runs {@code lxd init --preseed} with {@code yaml}, inside the daemon's namespace (a joining member checks its peer's certificate). */
    public void preseed(String yaml) {
        Path dir = dir();
        String netns = netns();
        Path file = dir.resolve("preseed-" + System.nanoTime() + ".yaml");
        try {
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder("ip", "netns", "exec", netns, "lxd", "init", "--preseed")
                    .redirectInput(file.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("preseed.out").toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("lxd init --preseed in " + netns + " did not finish within 120 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("lxd init --preseed in " + netns + " exited with " + process.exitValue()
                        + ": " + Files.readString(dir.resolve("preseed.out")).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public Flavor flavor() {
        return flavor;
    }

    /** The daemon's API socket. */
    public Path socket() {
        return dir().resolve("unix.socket");
    }

    /** The environment that points the client at this daemon: {@code LXD_DIR} and {@code LXD_CONF}, or Incus's. */
    public Map<String, String> env() {
        return env;
    }

    /** How long start-up took. */
    public StartTimes startTimes() {
        return startTimes;
    }

    /**
     * Runs the daemon's client ({@code lxc ARGS...} or {@code incus ARGS...}) against it; returns stdout, throws
     * with stderr if it failed.
     */
    public String lxc(String... args) {
        List<String> command = new ArrayList<>(List.of(flavor.client));
        command.addAll(List.of(args));
        return Cmd.run(LXC_TIMEOUT, env, command);
    }

    /** {@code lxc query PATH}: the raw JSON the API answers, e.g. {@code /1.0/instances?recursion=2}. */
    public String query(String path) {
        return lxc("query", path);
    }

    /**
     * Launches a container from the busybox image with the default and {@value #MACVLAN_PROFILE} profiles;
     * {@code extraArgs} go to {@code lxc launch} as they are, e.g. {@code "--project", "p2"} or {@code "--target", "m2"}.
     */
    public void launch(String name, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("launch", IMAGE, name, "--profile", "default", "--profile", MACVLAN_PROFILE));
        args.addAll(List.of(extraArgs));
        lxc(args.toArray(String[]::new));
    }

    /** Runs {@code command} inside {@code instance} (default project); returns its stdout. */
    public String exec(String instance, String... command) {
        List<String> args = new ArrayList<>(List.of("exec", instance, "--"));
        args.addAll(List.of(command));
        return lxc(args.toArray(String[]::new));
    }

    /**
     * Gives {@code instance}'s eth0 {@code cidr4} and {@code cidr6} (either may be null), as a container's own
     * network configuration would; duplicate address detection is off in the image, so both are usable at once.
     */
    public void setAddress(String instance, String cidr4, String cidr6) {
        setAddress(instance, "eth0", cidr4, cidr6);
    }

    /** Like {@link #setAddress(String, String, String)} on the container's interface {@code nic}. */
    public void setAddress(String instance, String nic, String cidr4, String cidr6) {
        if (cidr4 != null) {
            execIdempotent(instance, "ip", "address", "replace", cidr4, "dev", nic);
        }
        if (cidr6 != null) {
            execIdempotent(instance, "ip", "-6", "address", "replace", cidr6, "dev", nic);
        }
    }

    /** How long one try of {@link #execIdempotent} may take: a working exec takes well under a second. */
    private static final Duration IDEMPOTENT_EXEC_TRY = Duration.ofSeconds(20);

    /**
     * {@link #exec} of a command that may run twice, tried again once if the first {@code lxc exec} never returns:
     * in CI (2026-12-04) an exec into a cluster instance just moved and started hung for the whole minute, on the
     * daemon's side (the same test took 10 s when run again). Nothing of macvlan-shim is in that path.
     */
    private void execIdempotent(String instance, String... command) {
        List<String> args = new ArrayList<>(List.of(flavor.client, "exec", instance, "--"));
        args.addAll(List.of(command));
        try {
            Cmd.run(IDEMPOTENT_EXEC_TRY, env, args);
        } catch (IllegalStateException hung) {
            if (!String.valueOf(hung.getMessage()).contains("did not finish within")) {
                throw hung;
            }
            Cmd.run(IDEMPOTENT_EXEC_TRY, env, args);
        }
    }

    /**
     * Runs {@code udhcpc} once on {@code instance}'s eth0 (against a {@link Dhcp} on the LAN) and returns the
     * IPv4 address it was given.
     */
    public String dhcp(String instance) {
        exec(instance, "udhcpc", "-i", "eth0", "-n", "-q", "-t", "10", "-T", "1", "-s", "/usr/share/udhcpc/default.script");
        String shown = exec(instance, "ip", "-4", "-o", "address", "show", "dev", "eth0");
        return shown.lines()
                .map(line -> line.replaceAll(".* inet ([0-9.]+)/.*", "$1"))
                .filter(address -> address.matches("[0-9.]+"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no IPv4 address on " + instance + " after udhcpc: " + shown));
    }

    /** Stops {@code instance} at once ({@code --force}: busybox init ignores LXD's polite shutdown). */
    public void stopInstance(String instance) {
        lxc("stop", instance, "--force");
    }

    public void startInstance(String instance) {
        lxc("start", instance);
    }

    public void deleteInstance(String instance, boolean force) {
        if (force) {
            lxc("delete", instance, "--force");
        } else {
            lxc("delete", instance);
        }
    }

    /** SIGKILLs the daemon, as if it crashed; its containers keep running, as they would. */
    public void kill() {
        killProcess();
    }

    /** Starts the daemon again on the same directory in the same namespace, after {@link #kill()} or a shutdown. */
    public void restart() {
        requireStopped();
        launchDaemon();
    }

    /** {@code lxd shutdown}: the daemon stops its instances and exits; {@link #restart()} brings it back. */
    public void shutdown() {
        Cmd.exec(Duration.ofSeconds(40), env, flavor.admin("shutdown", "--timeout", "30"));
        if (process() != null && !process().onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).isDone()) {
            throw new IllegalStateException(flavor.kind + " " + dir() + " still runs after its shutdown");
        }
    }

    /** The last lines of the daemon's log, for failure messages. */
    public String logTail() {
        return tail(log(), 20);
    }

    /** Stops every instance at once, then shuts the daemon down (SIGKILL by PID if it lingers). */
    @Override
    protected void stop() {
        stopAllInstances();
        Cmd.exec(Duration.ofSeconds(20), env, flavor.admin("shutdown", "--timeout", "15"));
        awaitExitOrKill(Duration.ofSeconds(5));
    }

    /**
     * Stops every instance this daemon lists, in every project (cluster-wide on a cluster member). ERROR is
     * skipped: it is what an instance on a cluster member that is already gone shows, and asking for its stop
     * only waits about 10 s for that member; its processes die with the member's directory anyway.
     */
    void stopAllInstances() {
        Cmd.Result list = Cmd.exec(LXC_TIMEOUT, env, List.of(flavor.client, "list", "--all-projects", "--format", "csv", "--columns", "ens"));
        if (!list.succeeded()) {
            return;
        }
        for (String line : list.stdout().lines().toList()) {
            String[] fields = line.split(",");
            if (fields.length == 3 && !fields[2].equals("STOPPED") && !fields[2].equals("ERROR")) {
                Cmd.exec(LXC_TIMEOUT, env, List.of(flavor.client, "stop", "--force", "--project", fields[0], fields[1]));
            }
        }
    }
}
