package io.github.macvlanshim.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A throw-away LAN inside network namespaces: a switch namespace with bridge br0 (the router,
 * 198.51.100.1 and 2001:db8:100::1), a host namespace whose eth0 is wired to the switch (198.51.100.62 and
 * 2001:db8:100::62), and containers on macvlan children of the host's eth0, wired as LXD wires a macvlan NIC.
 * <p>
 * Nothing is created in the root namespace: veth and macvlan devices are created straight into their
 * target namespaces. Every namespace name starts with {@value #PREFIX} and has a marker file naming the
 * creating process, so {@link #sweepStale()} can remove what a dead JVM left behind without touching
 * anything else.
 */
public final class Lab implements AutoCloseable {

    public static final String PREFIX = "msl-";
    public static final String ROUTER_IPV4 = "198.51.100.1";
    public static final String ROUTER_IPV6 = "2001:db8:100::1";
    public static final String HOST_IPV4 = "198.51.100.62";
    public static final String HOST_IPV6 = "2001:db8:100::62";
    /** Where marker files live: one per namespace, holding "PID START-INSTANT" of the creating process. */
    public static final Path MARKERS = Path.of("/run/macvlan-shim-lab");
    /** The engine's default lock directory (the runtime's MacvlanShimConfig.DEFAULT_LOCK_DIRECTORY). */
    static final String ENGINE_LOCKS = "/run/macvlan-shim";

    private static final Pattern CONTAINER_NAME = Pattern.compile("[a-z0-9]{1,16}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String suffix;
    /** In creation order; deleted in reverse. */
    private final List<String> namespaces = new ArrayList<>();
    private final Thread shutdownHook;
    private boolean closed;

    private Lab(String suffix) {
        this.suffix = suffix;
        this.shutdownHook = new Thread(this::closeQuietly, "lab-" + suffix + "-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Builds a fresh switch and host with a random suffix; on failure, removes whatever it had made. */
    public static Lab create() {
        byte[] random = new byte[2];
        RANDOM.nextBytes(random);
        return Closing.onFailure(new Lab(HexFormat.of().formatHex(random)), lab -> {
            lab.build();
            return lab;
        });
    }

    private void build() {
        String lan = lanNetns();
        String host = hostNetns();
        addNamespace(lan);
        ip(lan, "link", "add", "br0", "type", "bridge");
        ip(lan, "address", "add", ROUTER_IPV4 + "/24", "dev", "br0");
        ip(lan, "address", "add", ROUTER_IPV6 + "/64", "dev", "br0", "nodad");
        ip(lan, "link", "set", "br0", "up");

        addNamespace(host);
        ip(lan, "link", "add", "to-host", "type", "veth", "peer", "name", "eth0", "netns", host);
        ip(lan, "link", "set", "to-host", "master", "br0");
        ip(lan, "link", "set", "to-host", "up");
        configureEnd(host, HOST_IPV4, HOST_IPV6);
    }

    public String suffix() {
        return suffix;
    }

    public String lanNetns() {
        return PREFIX + "lan-" + suffix;
    }

    public String hostNetns() {
        return PREFIX + "h-" + suffix;
    }

    /**
     * Adds a container namespace {@code msl-c-NAME-SUFFIX} whose eth0 is a bridge-mode macvlan child of the
     * host's eth0, with {@code ipv4}/24 and {@code ipv6}/64 and default routes via the router.
     *
     * @return the container's namespace name
     */
    public String addContainer(String name, String ipv4, String ipv6) {
        return addContainerOn("eth0", name, ipv4, ipv6);
    }

    /** As {@link #addContainer}, on the host's interface {@code parent} (one {@link #addNic} made). */
    public String addContainerOn(String parent, String name, String ipv4, String ipv6) {
        if (!CONTAINER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("container name '" + name + "' must be 1-16 of a-z and 0-9");
        }
        String container = PREFIX + "c-" + name + "-" + suffix;
        addNamespace(container);
        // Created straight into the container's namespace: the same device LXD makes, never visible to the host by name.
        ip(hostNetns(), "link", "add", "link", parent, "name", "eth0", "netns", container, "type", "macvlan", "mode", "bridge");
        configureEnd(container, ipv4, ipv6);
        return container;
    }

    /**
     * Plugs a second NIC {@code name} of the host into the switch, up and without addresses: a parent that
     * appears while the host runs (a USB NIC, a VLAN interface made later).
     */
    public void addNic(String name) {
        ip(lanNetns(), "link", "add", "to-" + name, "type", "veth", "peer", "name", name, "netns", hostNetns());
        ip(lanNetns(), "link", "set", "to-" + name, "master", "br0");
        ip(lanNetns(), "link", "set", "to-" + name, "up");
        ip(hostNetns(), "link", "set", name, "up");
    }

    /**
     * Adds another host {@code msl-hNAME-SUFFIX} on the same LAN, wired as the first one (its eth0 on the switch,
     * {@code ipv4}/24 and {@code ipv6}/64, default routes via the router): a second cluster member, a neighbour.
     *
     * @return the host's namespace name
     */
    public String addHost(String name, String ipv4, String ipv6) {
        if (!CONTAINER_NAME.matcher(name).matches() || name.length() > 12) {
            throw new IllegalArgumentException("host name '" + name + "' must be 1-12 of a-z and 0-9");
        }
        String host = PREFIX + "h" + name + "-" + suffix;
        addNamespace(host);
        ip(lanNetns(), "link", "add", "to-" + name, "type", "veth", "peer", "name", "eth0", "netns", host);
        ip(lanNetns(), "link", "set", "to-" + name, "master", "br0");
        ip(lanNetns(), "link", "set", "to-" + name, "up");
        configureEnd(host, ipv4, ipv6);
        return host;
    }

    /**
     * "DESTINATION dev DEVICE" for each main-table route in {@code netns} carrying route protocol
     * {@code protocol}, IPv4 then IPv6.
     */
    public List<String> routesWithProtocol(String netns, int protocol) {
        List<String> routes = new ArrayList<>();
        for (String family : List.of("-4", "-6")) {
            for (String line : ip(netns, family, "route", "show", "table", "main", "proto", String.valueOf(protocol))
                    .split("\n")) {
                String[] words = line.trim().split("\\s+");
                if (words.length >= 3 && words[1].equals("dev")) {
                    routes.add(words[0] + " dev " + words[2]);
                }
            }
        }
        return routes;
    }

    /** One echo request, one second to answer. */
    public boolean ping(String fromNetns, String address) {
        return Cmd.ok("ip", "netns", "exec", fromNetns, "ping", "-c", "1", "-W", "1", address);
    }

    /** Pings until an answer comes or {@code within} has passed: the first packet may wait on ARP or NDP. */
    public boolean awaitPing(String fromNetns, String address, Duration within) {
        Instant deadline = Instant.now().plus(within);
        do {
            if (ping(fromNetns, address)) {
                return true;
            }
        } while (Instant.now().isBefore(deadline));
        return false;
    }

    /** Runs {@code ip -n NETNS ARGS...} and returns its stdout. */
    public String ip(String netns, String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-n", netns));
        command.addAll(List.of(args));
        return Cmd.run(command.toArray(String[]::new));
    }

    /** Runs {@code COMMAND} inside {@code netns} and returns its stdout. */
    public String exec(String netns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(List.of(command));
        return Cmd.run(full.toArray(String[]::new));
    }

    /** Every namespace this lab made, in creation order. */
    public List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    /** Deletes every namespace this lab made; tries them all, then throws naming each one that failed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Already running as (or alongside) the hook: nothing left to unregister.
        }
        List<String> failures = new ArrayList<>();
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            String failure = deleteNamespace(namespaces.get(i));
            if (failure != null) {
                failures.add(failure);
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("lab " + suffix + " left namespaces behind: " + String.join("; ", failures));
        }
    }

    /**
     * Deletes {@value #PREFIX} namespaces whose creating process is gone, and markers whose namespace is gone.
     * A prefixed namespace without a marker is left alone: nothing says it is ours.
     *
     * @return the namespaces deleted
     */
    public static List<String> sweepStale() {
        List<String> deleted = new ArrayList<>();
        List<String> present = prefixedNamespaces();
        for (String netns : present) {
            Optional<String> owner = readMarker(netns);
            if (owner.isPresent() && !isAlive(owner.get())) {
                String failure = deleteNamespace(netns);
                if (failure != null) {
                    throw new IllegalStateException(failure);
                }
                deleted.add(netns);
            }
        }
        try (var markers = Files.list(MARKERS)) {
            markers.filter(m -> m.getFileName().toString().startsWith(PREFIX))
                    .filter(m -> !present.contains(m.getFileName().toString()))
                    .forEach(Lab::deleteMarker);
        } catch (NoSuchFileException e) {
            return deleted;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return deleted;
    }

    /** The {@value #PREFIX} namespaces that exist now, whoever made them. */
    public static List<String> prefixedNamespaces() {
        return Cmd.run("ip", "netns", "list").lines()
                .map(line -> line.split(" ", 2)[0])
                .filter(name -> name.startsWith(PREFIX))
                .toList();
    }

    private void addNamespace(String netns) {
        writeMarker(netns);
        Cmd.run("ip", "netns", "add", netns);
        namespaces.add(netns);
        // Tests must not wait out duplicate address detection, on link-local addresses included.
        exec(netns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
        ip(netns, "link", "set", "lo", "up");
    }

    private void configureEnd(String netns, String ipv4, String ipv6) {
        ip(netns, "address", "add", ipv4 + "/24", "dev", "eth0");
        ip(netns, "address", "add", ipv6 + "/64", "dev", "eth0", "nodad");
        ip(netns, "link", "set", "eth0", "up");
        ip(netns, "route", "add", "default", "via", ROUTER_IPV4);
        ip(netns, "-6", "route", "add", "default", "via", ROUTER_IPV6);
    }

    private static String deleteNamespace(String netns) {
        deleteEngineLocks(netns);
        Cmd.Result result = Cmd.exec("ip", "netns", "del", netns);
        boolean gone = result.succeeded() || !prefixedNamespaces().contains(netns);
        if (!gone) {
            return netns + ": " + result.stderr().strip();
        }
        deleteMarker(MARKERS.resolve(netns));
        return null;
    }

    /**
     * Removes the lock files engines took for {@code netns} in their default lock directory
     * ({@value #ENGINE_LOCKS}/netns-INODE+proto-N.lock, see the runtime's OwnershipLock): an engine leaves its file
     * on purpose, which on a host is one file per namespace, but a lab makes hundreds of namespaces. Done while
     * the namespace still exists, so its inode cannot belong to another namespace yet.
     */
    private static void deleteEngineLocks(String netns) {
        Path locks = Path.of(ENGINE_LOCKS);
        String prefix;
        try {
            prefix = "netns-" + Files.getAttribute(Path.of("/run/netns", netns), "unix:ino") + "+proto-";
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        try (var files = Files.list(locks)) {
            for (Path lock : files.filter(file -> file.getFileName().toString().startsWith(prefix)
                    && file.getFileName().toString().endsWith(".lock")).toList()) {
                Files.deleteIfExists(lock);
            }
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            System.err.println("cannot remove the engine locks of " + netns + " in " + locks + ": " + e);
            return;
        }
        try {
            // Empty now: the engines made it for the lab's namespaces alone (a host's agent keeps its file there).
            Files.deleteIfExists(locks);
        } catch (DirectoryNotEmptyException e) {
            // Other namespaces' engines (or this host's agent) still have their files there.
        } catch (IOException e) {
            System.err.println("cannot remove " + locks + ": " + e);
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
        }
    }

    /** "PID START-INSTANT" of {@code process}: what a marker holds to name its owner. */
    static String ownerTag(ProcessHandle process) {
        return process.pid() + " " + process.info().startInstant().map(Instant::toString).orElse("-");
    }

    private static void writeMarker(String netns) {
        String owner = ownerTag(ProcessHandle.current());
        try {
            Files.createDirectories(MARKERS);
            Files.writeString(MARKERS.resolve(netns), owner + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write lab marker for " + netns, e);
        }
    }

    private static Optional<String> readMarker(String netns) {
        try {
            return Optional.of(Files.readString(MARKERS.resolve(netns), StandardCharsets.UTF_8).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteMarker(Path marker) {
        try {
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PID alone could have been reused; the start instant pins the very process. */
    static boolean isAlive(String owner) {
        String[] parts = owner.split(" ");
        if (parts.length != 2 || !parts[0].matches("[0-9]{1,10}")) {
            return false;
        }
        return ProcessHandle.of(Long.parseLong(parts[0]))
                .filter(ProcessHandle::isAlive)
                .filter(p -> parts[1].equals(p.info().startInstant().map(Instant::toString).orElse("-")))
                .isPresent();
    }
}
