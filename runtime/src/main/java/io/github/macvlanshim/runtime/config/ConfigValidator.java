package io.github.macvlanshim.runtime.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.github.macvlanshim.runtime.net.InterfaceNames;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.ShimMac;
import io.github.macvlanshim.runtime.net.UntrustedText;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;
import io.github.macvlanshim.runtime.source.lxd.Daemon;
import io.github.macvlanshim.runtime.source.lxd.LxdSockets;

/**
 * Turns {@link MacvlanShimConfig} into {@link EngineSettings}, or fails on the first wrong value with one
 * message naming the key, the value and what is expected. Pure: it looks at no interface and no resolver.
 */
public final class ConfigValidator {

    static final String PREFIX = "quarkus.macvlan-shim.";

    /**
     * Protocol numbers that are not ours to take: 0-4 have meaning to the kernel (unspec, redirect, kernel,
     * boot, static), the others are claimed in the kernel's rtnetlink.h or iproute2's rt_protos by routing
     * daemons (gated, ra, mrt, zebra, bird, dnrouted, xorp, ntk, dhcp, mrouted, keepalived, babel, openr,
     * bgp, isis, ospf, rip, eigrp).
     */
    public static final Set<Integer> RESERVED_PROTOCOLS = Set.of(0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
            18, 42, 99, 186, 187, 188, 189, 192);

    /** The Quarkus Scheduler runs nothing more often than once a second. */
    static final java.time.Duration MIN_INTERVAL = java.time.Duration.ofSeconds(1);

    private static final Pattern PLAIN_PATH = Pattern.compile("(/[A-Za-z0-9_.+@,-]+)+");

    private ConfigValidator() {
    }

    public static EngineSettings validate(MacvlanShimConfig config) {
        List<ShimSpec> shims = new ArrayList<>();
        Map<String, String> shimByParent = new HashMap<>();
        // SmallRye gives a quoted empty key ("") as a null key; sorting keeps messages stable across runs.
        Map<String, MacvlanShimConfig.Shim> byName = new TreeMap<>();
        config.shims().forEach((name, shim) -> byName.put(name == null ? "" : name, shim));
        for (Map.Entry<String, MacvlanShimConfig.Shim> entry : byName.entrySet()) {
            ShimSpec shim = shim(entry.getKey(), entry.getValue());
            String other = shimByParent.putIfAbsent(shim.parent(), shim.name());
            if (other != null) {
                throw InvalidConfigException.of(key(shim.name(), "parent"), shim.parent(),
                        "shim '" + other + "' already sits on " + shim.parent()
                                + "; expected one shim per parent (a second would duplicate every route)");
            }
            shims.add(shim);
        }
        if (config.reconcile().interval().compareTo(MIN_INTERVAL) < 0) {
            throw InvalidConfigException.of(PREFIX + "reconcile.interval", config.reconcile().interval(),
                    "expected a duration of at least 1s (the Quarkus Scheduler runs no finer) such as 30s");
        }
        int protocol = config.routes().protocol();
        if (protocol < 1 || protocol > 255) {
            throw InvalidConfigException.of(PREFIX + "routes.protocol", protocol,
                    "expected a route protocol number from 5 to 255");
        }
        if (RESERVED_PROTOCOLS.contains(protocol)) {
            throw InvalidConfigException.of(PREFIX + "routes.protocol", protocol,
                    "that number belongs to the kernel or a well-known routing daemon; expected a free one from 5 to 255"
                            + " such as the default " + MacvlanShimConfig.DEFAULT_PROTOCOL);
        }
        Optional<String> netns = config.netns().map(String::strip).filter(s -> !s.isEmpty());
        netns.ifPresent(name -> {
            if (!name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")) {
                throw InvalidConfigException.of(PREFIX + "netns", name,
                        "expected a network namespace name of letters, digits, '_', '.' and '-'");
            }
        });
        return new EngineSettings(shims, config.reconcile().interval(), protocol, config.onStop(), config.dryRun(),
                netns, lxdSocket(config.lxd().socket()), dockerSocket(config.docker().socket()),
                stateFile(config.stateFile(), netns), lockDirectory(config.lockDirectory()));
    }

    /** An absolute, plain directory path, as for the LXD socket. */
    static Path lockDirectory(String value) {
        return plainAbsolutePath(PREFIX + "lock-directory", value,
                "expected the absolute path of a directory such as " + MacvlanShimConfig.DEFAULT_LOCK_DIRECTORY);
    }

    /** "none" or an absolute, plain path (as for the LXD socket); unset: the default, none in a named namespace. */
    static Optional<Path> stateFile(Optional<String> setting, Optional<String> netns) {
        if (setting.isEmpty()) {
            return netns.isPresent() ? Optional.empty() : Optional.of(Path.of(MacvlanShimConfig.DEFAULT_STATE_FILE));
        }
        String value = setting.get();
        String text = value.strip();
        if (text.equalsIgnoreCase("none")) {
            return Optional.empty();
        }
        return Optional.of(plainAbsolutePath(PREFIX + "state-file", value,
                "expected none, or an absolute path such as " + MacvlanShimConfig.DEFAULT_STATE_FILE));
    }

    /**
     * "auto", "none", or a comma-separated list of sockets, each an absolute, plain path (no "..", no control
     * characters, spaces or shell specials), optionally named {@code lxd=PATH} or {@code incus=PATH}; unnamed, a path
     * is Incus's when a directory on it says incus. At most one socket per daemon: each is the source of that name.
     */
    public static LxdSocketSetting lxdSocket(String value) {
        String text = value == null ? "" : value.strip();
        if (text.equalsIgnoreCase("auto")) {
            return LxdSocketSetting.auto();
        }
        if (text.equalsIgnoreCase("none")) {
            return LxdSocketSetting.none();
        }
        String expected = "expected auto, none, or the absolute path of the LXD or Incus API socket such as"
                + " /var/snap/lxd/common/lxd/unix.socket (several separated by ',', each optionally named lxd=PATH or"
                + " incus=PATH)";
        List<LxdSocketSetting.Socket> sockets = new ArrayList<>();
        for (String entry : text.split(",", -1)) {
            String path = entry.strip();
            Daemon named = null;
            int equals = path.indexOf('=');
            if (equals >= 0) {
                named = Daemon.ofServer(path.substring(0, equals).strip().toLowerCase(java.util.Locale.ROOT));
                if (named == null) {
                    throw InvalidConfigException.of(PREFIX + "lxd.socket", value, "the socket "
                            + UntrustedText.quote(path) + " is named neither lxd nor incus; " + expected);
                }
                path = path.substring(equals + 1).strip();
            }
            Path socket = plainAbsolutePath(PREFIX + "lxd.socket", value, expected, path);
            Daemon daemon = named != null ? named : LxdSockets.byPath(socket);
            for (LxdSocketSetting.Socket other : sockets) {
                if (other.daemon() == daemon) {
                    throw InvalidConfigException.of(PREFIX + "lxd.socket", value, "both " + other.path() + " and "
                            + socket + " are taken as " + daemon.title() + "'s socket; expected one per daemon (name"
                            + " them lxd=PATH and incus=PATH)");
                }
            }
            sockets.add(new LxdSocketSetting.Socket(daemon, socket));
        }
        return LxdSocketSetting.paths(sockets);
    }

    /** "auto", "none" or an absolute, plain path; a {@code unix://} address is taken for the path it names, as DOCKER_HOST has it. */
    static SocketSetting dockerSocket(String value) {
        String text = value == null ? "" : value.strip();
        return socket(PREFIX + "docker.socket", text.startsWith("unix://") ? text.substring("unix://".length()) : value,
                "expected auto, none, or the absolute path of the Docker or Podman API socket such as"
                        + " /run/docker.sock");
    }

    private static SocketSetting socket(String key, String value, String expected) {
        String text = value == null ? "" : value.strip();
        if (text.equalsIgnoreCase("auto")) {
            return SocketSetting.auto();
        }
        if (text.equalsIgnoreCase("none")) {
            return SocketSetting.none();
        }
        return SocketSetting.path(plainAbsolutePath(key, value, expected));
    }

    /** An absolute path without "." or ".." steps, control characters, spaces or shell specials. */
    private static Path plainAbsolutePath(String key, String value, String expected) {
        return plainAbsolutePath(key, value, expected, value);
    }

    /** As above for {@code path}, one part of the value {@code value} that the message names. */
    private static Path plainAbsolutePath(String key, String value, String expected, String path) {
        String text = path == null ? "" : path.strip();
        if (!text.startsWith("/")) {
            throw InvalidConfigException.of(key, value, "it is not an absolute path; " + expected);
        }
        if (!PLAIN_PATH.matcher(text).matches() || text.endsWith("/") || Arrays.asList(text.split("/")).contains("..")
                || Arrays.asList(text.split("/")).contains(".")) {
            throw InvalidConfigException.of(key, value,
                    "the path may hold only letters, digits, '/', '_', '.', '-', '+', '@' and ',', without '.' or"
                            + " '..' steps or a trailing '/'; " + expected);
        }
        return Path.of(text);
    }

    private static ShimSpec shim(String name, MacvlanShimConfig.Shim shim) {
        String nameProblem = InterfaceNames.problem(name);
        if (nameProblem != null) {
            throw InvalidConfigException.of(PREFIX + "shims.\"" + UntrustedText.escape(name) + "\"", "",
                    "the shim name " + UntrustedText.quote(name) + " is not a usable interface name: " + nameProblem);
        }
        String parent = shim.parent().map(String::strip).filter(s -> !s.isEmpty())
                .orElseThrow(() -> new InvalidConfigException(key(name, "parent")
                        + " is missing: expected the interface the shim and the instances sit on, such as eth0"));
        String parentProblem = InterfaceNames.problem(parent);
        if (parentProblem != null) {
            throw InvalidConfigException.of(key(name, "parent"), parent,
                    "expected an interface name: " + parentProblem);
        }
        if (parent.equals(name)) {
            throw InvalidConfigException.of(key(name, "parent"), parent,
                    "the shim cannot sit on itself; expected another interface, such as eth0");
        }
        Optional<Inet4Address> address = shim.address().map(String::strip).filter(s -> !s.isEmpty())
                .map(text -> unicast(key(name, "address"), text, IpLiterals::parseIpv4Only, "IPv4"));
        Optional<Inet6Address> address6 = shim.address6().map(String::strip).filter(s -> !s.isEmpty())
                .map(text -> unicast(key(name, "address6"), text, IpLiterals::parseIpv6Only, "IPv6"));
        List<IpPrefix> staticRoutes = new ArrayList<>();
        for (String entry : shim.staticRoutes().orElse(List.of())) {
            String text = entry.strip();
            if (text.isEmpty()) {
                continue;
            }
            try {
                IpPrefix prefix = IpPrefix.parse(text);
                if (prefix.length() == 0) {
                    throw new IllegalArgumentException("a default route would send all traffic through the shim");
                }
                staticRoutes.add(prefix);
            } catch (IllegalArgumentException e) {
                throw InvalidConfigException.of(key(name, "static-routes"), text,
                        e.getMessage() + "; expected an IPv4 or IPv6 address or prefix such as 198.51.100.192/27");
            }
        }
        Optional<String> mac = shim.mac().map(String::strip).filter(s -> !s.isEmpty()).map(text -> {
            try {
                return ShimMac.require(text);
            } catch (IllegalArgumentException e) {
                throw InvalidConfigException.of(key(name, "mac"), text, e.getMessage());
            }
        });
        return new ShimSpec(name, parent, address, address6, staticRoutes, mac);
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private static <T extends java.net.InetAddress> T unicast(String key, String text, Parser<T> parser, String family) {
        T address;
        try {
            address = parser.parse(text);
        } catch (IllegalArgumentException e) {
            throw InvalidConfigException.of(key, text, e.getMessage() + "; expected an " + family + " address literal");
        }
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isMulticastAddress()
                || address.isLinkLocalAddress()) {
            throw InvalidConfigException.of(key, text,
                    "expected a unicast " + family + " address on the parent's LAN, not a special-purpose one");
        }
        return address;
    }

    private static String key(String shim, String member) {
        return PREFIX + "shims." + shim + "." + member;
    }
}
