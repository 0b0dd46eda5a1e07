package io.github.macvlanshim.runtime.reconcile;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.List;
import java.util.Optional;

import io.github.macvlanshim.runtime.net.IpPrefix;

/**
 * One shim as configured and validated: a macvlan named {@code name} on {@code parent}, with its own
 * addresses or none (address-less mode: routes take the parent's address as source).
 *
 * @param mac the shim's MAC (configured, or derived by the engine so it stays the same when the shim is made
 *        again); empty: the kernel picks one at random
 */
public record ShimSpec(String name, String parent, Optional<Inet4Address> address, Optional<Inet6Address> address6,
        List<IpPrefix> staticRoutes, Optional<String> mac) {

    public ShimSpec {
        staticRoutes = List.copyOf(staticRoutes);
    }

    /** A shim whose MAC the kernel picks. */
    public ShimSpec(String name, String parent, Optional<Inet4Address> address, Optional<Inet6Address> address6,
            List<IpPrefix> staticRoutes) {
        this(name, parent, address, address6, staticRoutes, Optional.empty());
    }

    /** This shim with {@code newMac} as its MAC. */
    public ShimSpec withMac(Optional<String> newMac) {
        return new ShimSpec(name, parent, address, address6, staticRoutes, newMac);
    }
}
