package io.github.macvlanshim.runtime.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an ordered list of changes into the steps that carry them out: {@code ip -batch} lines, and the
 * sysctl writes that ip cannot make. Pure, so the exact lines are unit-tested.
 * <p>
 * Every interface name passes {@link InterfaceNames#require} and every address is printed by
 * {@link IpLiterals#format}, so no value can turn into an option, a keyword or a second command.
 */
public final class IpBatchRenderer {

    /** One process's worth of work, in plan order. */
    public sealed interface Step {
    }

    /** Lines for one {@code ip -batch -} run; {@code changes.get(i)} produced {@code lines.get(i)}. */
    public record Batch(List<String> lines, List<Change> changes) implements Step {

        public Batch {
            lines = List.copyOf(lines);
            changes = List.copyOf(changes);
        }

        /** The lines as ip reads them on stdin. */
        public String stdin() {
            return String.join("\n", lines) + "\n";
        }
    }

    /**
     * {@code sysctl -q -w KEY=VALUE...}. The keys use '/' as separator, since with '.' a name holding a dot
     * ("eth0.100") would be split into two path elements.
     */
    public record Sysctl(List<String> arguments, Change change) implements Step {

        public Sysctl {
            arguments = List.copyOf(arguments);
        }
    }

    private IpBatchRenderer() {
    }

    /**
     * Splits {@code changes} into steps: runs of ip changes become one batch each, split only where a sysctl
     * change must happen in between, so order is kept. Validates everything before anything runs.
     *
     * @throws IllegalArgumentException naming the change that cannot be rendered
     */
    public static List<Step> steps(List<Change> changes, int protocol) {
        requireProtocol(protocol);
        List<Step> steps = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        List<Change> batched = new ArrayList<>();
        for (Change change : changes) {
            if (change instanceof Change.EnableProxyNdp enable) {
                if (!lines.isEmpty()) {
                    steps.add(new Batch(lines, batched));
                    lines.clear();
                    batched.clear();
                }
                steps.add(new Sysctl(proxyNdpSysctl(enable.shim()), change));
            } else {
                lines.add(line(change, protocol));
                batched.add(change);
            }
        }
        if (!lines.isEmpty()) {
            steps.add(new Batch(lines, batched));
        }
        return steps;
    }

    /** The kernel matches proto on delete: a route someone else owns never matches, even at the same destination. */
    private static String deleteRoute(Change.DeleteRoute r, String device, int protocol) {
        return "route del " + r.destination() + device + " proto " + protocol + " table main"
                + (r.metric() != 0 ? " metric " + Integer.toUnsignedString(r.metric()) : "");
    }

    /** The {@code ip -batch} line for one change; {@link Change.EnableProxyNdp} has none. */
    public static String line(Change change, int protocol) {
        requireProtocol(protocol);
        if (change instanceof Change.DeleteRoute r && r.shim().isEmpty()) {
            // An owned route without a device (blackhole, multipath): matched by destination, proto and metric alone.
            return deleteRoute(r, "", protocol);
        }
        String shim = InterfaceNames.require(change.shim());
        if (change instanceof Change.CreateShim c) {
            return "link add link " + InterfaceNames.require(c.parent()) + " name " + shim + " mtu " + requireMtu(c.mtu())
                    + c.mac().map(mac -> " address " + ShimMac.require(mac)).orElse("") + " type macvlan mode bridge";
        }
        if (change instanceof Change.MarkShim m) {
            if (!Ownership.isAnyMarker(m.marker())) {
                throw new IllegalArgumentException("marker " + UntrustedText.quote(m.marker())
                        + " is not accepted: expected " + Ownership.MARKER_PREFIX + "N");
            }
            return "link set dev " + shim + " alias " + m.marker();
        }
        if (change instanceof Change.SetMac m) {
            return "link set dev " + shim + " address " + ShimMac.require(m.mac());
        }
        if (change instanceof Change.AddAddress a) {
            return "address replace " + addressWithLength(a.address(), a.prefixLength()) + " dev " + shim
                    + (a.address() instanceof Inet6Address ? " nodad" : "");
        }
        if (change instanceof Change.DeleteAddress d) {
            return "address del " + addressWithLength(d.address(), d.prefixLength()) + " dev " + shim;
        }
        if (change instanceof Change.SetUp) {
            return "link set dev " + shim + " up";
        }
        if (change instanceof Change.AddProxyNeighbour p) {
            return "neigh replace proxy " + IpLiterals.format(p.address()) + " dev " + shim;
        }
        if (change instanceof Change.DeleteProxyNeighbour p) {
            return "neigh del proxy " + IpLiterals.format(p.address()) + " dev " + shim;
        }
        if (change instanceof Change.AddRoute r) {
            return "route " + (r.replace() ? "replace " : "add ") + r.destination() + " dev " + shim + " proto " + protocol
                    + r.source().map(s -> " src " + IpLiterals.format(s)).orElse("");
        }
        if (change instanceof Change.DeleteRoute r) {
            return deleteRoute(r, " dev " + shim, protocol);
        }
        if (change instanceof Change.DeleteShim) {
            return "link del dev " + shim;
        }
        throw new IllegalArgumentException(change + " is not an ip command (enabling proxy NDP is a sysctl write)");
    }

    private static String addressWithLength(InetAddress address, int length) {
        int bits = address.getAddress().length * 8;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " of " + IpLiterals.format(address)
                    + " is not accepted: expected 0-" + bits);
        }
        return IpLiterals.format(address) + "/" + length;
    }

    private static List<String> proxyNdpSysctl(String shim) {
        String base = "net/ipv6/conf/" + InterfaceNames.require(shim) + "/";
        return List.of("sysctl", "-q", "-w", base + "forwarding=1", base + "proxy_ndp=1");
    }

    private static void requireProtocol(int protocol) {
        // 0 is "unspec" and 1-4 belong to the kernel itself (redirect, kernel, boot, static).
        if (protocol < 5 || protocol > 255) {
            throw new IllegalArgumentException("route protocol " + protocol + " is not accepted: expected 5-255");
        }
    }

    private static int requireMtu(int mtu) {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU " + mtu + " is not accepted: expected 68-65535");
        }
        return mtu;
    }
}
