package io.github.macvlanshim.runtime.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * One change to the host's network, as the planner orders them. Each knows the shim it concerns, so that
 * logs and metrics can name it.
 */
public sealed interface Change {

    /** The shim (or, for a stray owned route, the device) this change is about. */
    String shim();

    /**
     * A new macvlan in bridge mode on {@code parent}, down, with the parent's MTU and, when given, that MAC
     * (otherwise the kernel picks a random one).
     */
    record CreateShim(String shim, String parent, int mtu, Optional<String> mac) implements Change {

        public CreateShim(String shim, String parent, int mtu) {
            this(shim, parent, mtu, Optional.empty());
        }
    }

    /** Puts the {@link Ownership} marker on the shim as its alias: from then on it is recognisably ours. */
    record MarkShim(String shim, String marker) implements Change {
    }

    /** Gives an existing shim its stable MAC (a shim made by a version that let the kernel pick one). */
    record SetMac(String shim, String mac) implements Change {
    }

    /**
     * net.ipv6.conf.SHIM.forwarding=1 and proxy_ndp=1: the kernel answers neighbour solicitations only on an
     * interface that forwards, and forwarding also keeps the shim from taking router advertisements
     * (no SLAAC address, no second default route).
     */
    record EnableProxyNdp(String shim) implements Change {
    }

    record AddAddress(String shim, InetAddress address, int prefixLength) implements Change {
    }

    record DeleteAddress(String shim, InetAddress address, int prefixLength) implements Change {
    }

    record SetUp(String shim) implements Change {
    }

    record AddProxyNeighbour(String shim, Inet6Address address) implements Change {
    }

    record DeleteProxyNeighbour(String shim, Inet6Address address) implements Change {
    }

    /**
     * Adds, or replaces an owned route to the same destination. {@code origin} says who wants it
     * ("static", "lxd default/c1 eth0") for the log line.
     */
    record AddRoute(String shim, IpPrefix destination, Optional<InetAddress> source, String origin, boolean replace)
            implements Change {
    }

    /** Deletes an owned route; {@code protocol} is part of the match, so a foreign route can never go. */
    record DeleteRoute(String shim, IpPrefix destination, int metric) implements Change {
    }

    record DeleteShim(String shim) implements Change {
    }
}
