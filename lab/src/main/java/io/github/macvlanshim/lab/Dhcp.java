package io.github.macvlanshim.lab;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A DHCP server for the lab LAN: dnsmasq inside the switch namespace on br0, leasing {@value #RANGE_START} to
 * {@value #RANGE_END} with the router as gateway, DNS off. Its leases and log live in a {@link LabDir};
 * {@link #close()} stops it by PID and deletes the directory.
 */
public final class Dhcp implements AutoCloseable {

    public static final String RANGE_START = "198.51.100.100";
    public static final String RANGE_END = "198.51.100.150";

    private final Path dir;
    private final ProcessHandle process;
    private final Thread shutdownHook;
    private boolean closed;

    private Dhcp(Path dir, ProcessHandle process) {
        this.dir = dir;
        this.process = process;
        this.shutdownHook = new Thread(this::closeQuietly, "dhcp-" + dir.getFileName() + "-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts dnsmasq in {@code lab}'s switch namespace; returns once it listens. */
    public static Dhcp start(Lab lab) {
        Path dir = LabDir.create("dhcp");
        ProcessHandle process;
        try {
            process = new ProcessBuilder("ip", "netns", "exec", lab.lanNetns(), "dnsmasq",
                    "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
                    "--interface=br0", "--bind-interfaces",
                    "--dhcp-range=" + RANGE_START + "," + RANGE_END + ",255.255.255.0,1h",
                    "--dhcp-option=option:router," + Lab.ROUTER_IPV4, "--dhcp-authoritative",
                    // dnsmasq pings an address before offering it; on a lab LAN that only delays every lease.
                    "--no-ping",
                    "--dhcp-leasefile=" + dir.resolve("leases"), "--pid-file=" + dir.resolve("dnsmasq.pid"),
                    "--user=root", "--group=root", "--log-dhcp", "--log-facility=" + dir.resolve("dnsmasq.log"))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("dnsmasq.out").toFile())
                    .start()
                    .toHandle();
        } catch (IOException e) {
            LabDir.remove(dir);
            throw new UncheckedIOException("cannot start dnsmasq in " + lab.lanNetns(), e);
        }
        Dhcp dhcp = new Dhcp(dir, process);
        Instant deadline = Instant.now().plusSeconds(5);
        while (!Files.exists(dir.resolve("dnsmasq.pid"))) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                String out = read(dir.resolve("dnsmasq.out"));
                dhcp.close();
                throw new IllegalStateException("dnsmasq in " + lab.lanNetns() + " did not start: " + out);
            }
            sleep(Duration.ofMillis(20));
        }
        return dhcp;
    }

    /** The lease file as dnsmasq writes it: "EXPIRY MAC IP HOSTNAME CLIENT-ID" per line. */
    public List<String> leases() {
        return read(dir.resolve("leases")).lines().toList();
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Running as the hook.
        }
        process.destroy();
        if (!process.onExit().completeOnTimeout(null, 3, TimeUnit.SECONDS).isDone() || process.isAlive()) {
            process.destroyForcibly();
        }
        LabDir.remove(dir);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
