package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Cmd;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.SourceListener;

/**
 * The LXD source against a real LXD daemon running in the lab's host namespace, with its own LXD_DIR: a
 * macvlan container's address shows in snapshots, events report that one instance's endpoints, a dead daemon is
 * an error, a restarted one is followed again.
 */
@Tag("lab")
class LxdInstanceSourceLabTest {

    private static final String C1_V4 = "198.51.100.201";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final LxdInstanceSource.Timing FAST = new LxdInstanceSource.Timing(Duration.ofMillis(20),
            Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofSeconds(20), Duration.ofMillis(100),
            Duration.ofMillis(500), Duration.ofMillis(100));

    private static Lab lab;
    private static Path dir;
    private static Process daemon;

    @BeforeAll
    static void startDaemon() throws IOException {
        Lab.sweepStale();
        lab = Lab.create();
        dir = Files.createTempDirectory("msl-lxd-" + lab.suffix() + "-");
        startLxd();
        lxc("config", "set", "images.auto_update_interval", "0");
        lxc("storage", "create", "default", "dir");
        lxc("profile", "device", "add", "default", "root", "disk", "path=/", "pool=default");
        lxc("profile", "create", "macvlan");
        lxc("profile", "device", "add", "macvlan", "eth0", "nic", "nictype=macvlan", "parent=eth0");
        lxc("image", "import", busyboxImage().toString(), "--alias", "busybox");
    }

    @AfterAll
    static void stopEverything() throws IOException {
        try {
            if (daemon != null && daemon.isAlive()) {
                Cmd.exec(Duration.ofSeconds(30), List.of("env", "LXD_DIR=" + dir, "lxc", "delete", "--force", "c1"));
                stopLxd();
            }
            // Stopping a daemon leaves its containers running: kill what is left of ours, by PID.
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().orElse("").contains("[lxc monitor] " + dir + "/"))
                    .forEach(monitor -> {
                        monitor.children().forEach(ProcessHandle::destroyForcibly);
                        monitor.destroyForcibly();
                    });
            unmountUnder(dir);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        } finally {
            lab.close();
        }
    }

    @Test
    void reportsAMacvlanContainersOwnEndpointsThroughStartStopAndADaemonRestart() throws Exception {
        Recording events = new Recording();
        LxdInstanceSource source = LxdInstanceSource.at(dir.resolve("unix.socket"), FAST);
        try {
            source.subscribe(events);
            await("the connect resync", () -> events.resyncs.get() >= 1);
            assertThat(source.snapshot()).isEmpty();

            lxc("launch", "busybox", "c1", "--profile", "default", "--profile", "macvlan");
            lxc("exec", "c1", "--", "ip", "addr", "add", C1_V4 + "/24", "dev", "eth0");
            Endpoint c1 = new Endpoint("lxd", "default", "c1", "eth0", "eth0", IpPrefix.parse(C1_V4));
            await("c1's endpoints once the started container has its address",
                    () -> events.latest("default/c1").contains(c1));
            assertThat(source.snapshot()).contains(c1);

            lxc("stop", "--force", "c1");
            await("c1 without endpoints once stopped", () -> events.latest("default/c1").isEmpty());
            assertThat(source.snapshot()).isEmpty();

            stopLxd();
            assertThatThrownBy(source::snapshot).isInstanceOf(SourceException.class)
                    .hasMessageContaining(dir.resolve("unix.socket").toString())
                    .hasMessageContaining("GET /1.0");

            int beforeRestart = events.resyncs.get();
            startLxd();
            await("a resync on reconnect", () -> events.resyncs.get() > beforeRestart);
            assertThat(source.snapshot()).isEmpty();
            lxc("start", "c1");
            await("the address after a restart", () -> snapshotContains(source, C1_V4) || addAddressOnce());
        } finally {
            source.close();
        }
    }

    /** What the source reported: how many resyncs, and each instance's latest endpoints. */
    private static final class Recording implements SourceListener {

        final AtomicInteger resyncs = new AtomicInteger();
        final Map<String, List<Endpoint>> instances = new ConcurrentHashMap<>();

        @Override
        public void resync() {
            resyncs.incrementAndGet();
        }

        @Override
        public void instanceChanged(String project, String instance, List<Endpoint> endpoints) {
            instances.put(project + "/" + instance, endpoints);
        }

        /** A placeholder that matches nothing until the instance was reported at all. */
        List<Endpoint> latest(String key) {
            return instances.getOrDefault(key, List.of(new Endpoint("none", "", "", "", "none", IpPrefix.parse("192.0.2.0/24"))));
        }
    }

    private static boolean addressAdded;

    /** busybox's init does not keep the address over a restart: set it again, once. */
    private static boolean addAddressOnce() {
        if (!addressAdded) {
            addressAdded = true;
            lxc("exec", "c1", "--", "ip", "addr", "add", C1_V4 + "/24", "dev", "eth0");
        }
        return false;
    }

    private static boolean snapshotContains(LxdInstanceSource source, String address) {
        try {
            return source.snapshot().stream().anyMatch(e -> e.prefix().equals(IpPrefix.parse(address)));
        } catch (SourceException e) {
            return false;
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
            Thread.sleep(20);
        }
    }

    private static void startLxd() throws IOException {
        ProcessBuilder builder = new ProcessBuilder("ip", "netns", "exec", lab.hostNetns(), "lxd", "--logfile",
                dir.resolve("lxd.log").toString());
        builder.environment().put("LXD_DIR", dir.toString());
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("lxd.out").toFile()));
        daemon = builder.start();
        Cmd.Result ready = Cmd.exec(Duration.ofSeconds(40),
                List.of("env", "LXD_DIR=" + dir, "lxd", "waitready", "--timeout", "30"));
        assertThat(ready.succeeded()).as("lxd waitready: %s", ready.stderr()).isTrue();
    }

    /** Kills our daemon by PID: another test may run LXD daemons of its own. */
    private static void stopLxd() throws IOException {
        daemon.destroyForcibly();
        try {
            daemon.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        unmountUnder(dir.resolve("devlxd"));
        unmountUnder(dir.resolve("shmounts"));
    }

    private static void unmountUnder(Path path) throws IOException {
        List<String> mounts = new ArrayList<>(Files.readAllLines(Path.of("/proc/mounts")).stream()
                .map(line -> line.split(" ")[1])
                .filter(mount -> mount.equals(path.toString()) || mount.startsWith(path + "/"))
                .toList());
        mounts.sort(Comparator.reverseOrder());
        mounts.forEach(mount -> Cmd.exec("umount", "-l", mount));
    }

    private static String lxc(String... args) {
        List<String> command = new ArrayList<>(List.of("env", "LXD_DIR=" + dir, "lxc"));
        command.addAll(List.of(args));
        Cmd.Result result = Cmd.exec(Duration.ofSeconds(60), command);
        assertThat(result.succeeded()).as("%s: %s", result.commandLine(), result.stderr()).isTrue();
        return result.stdout();
    }

    /** A 1 MB image: busybox as init, sleeping for ever. */
    private static Path busyboxImage() throws IOException {
        Path image = dir.resolve("image");
        Path rootfs = image.resolve("rootfs");
        for (String sub : List.of("bin", "sbin", "etc", "proc", "sys", "dev", "tmp")) {
            Files.createDirectories(rootfs.resolve(sub));
        }
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        rootfs.resolve("bin/busybox").toFile().setExecutable(true);
        for (String tool : List.of("sh", "ip", "sleep", "mount")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(tool), Path.of("busybox"));
        }
        Files.createSymbolicLink(rootfs.resolve("sbin/init"), Path.of("../bin/busybox"));
        Files.writeString(rootfs.resolve("etc/inittab"), """
                ::sysinit:/bin/sh -c "mount -t proc proc /proc; ip link set lo up; ip link set eth0 up"
                ::respawn:/bin/sleep 100000
                """);
        Files.writeString(image.resolve("metadata.yaml"), "architecture: x86_64\ncreation_date: "
                + Instant.now().getEpochSecond() + "\nproperties:\n  description: busybox\n  os: busybox\n");
        Path tarball = dir.resolve("busybox.tar.gz");
        Cmd.run("tar", "-C", image.toString(), "-czf", tarball.toString(), "metadata.yaml", "rootfs");
        return tarball;
    }
}
