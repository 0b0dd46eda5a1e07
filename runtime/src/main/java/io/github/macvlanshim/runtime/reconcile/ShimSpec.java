package io.github.macvlanshim.runtime.reconcile;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.List;
import java.util.Optional;

import io.github.macvlanshim.runtime.net.IpPrefix;

/**
 * One shim as configured and validated: a macvlan named {@code name} on {@code parent}, with its own
 * addresses or none (address-less mode: routes take the parent's address as source).
 */
public record ShimSpec(String name, String parent, Optional<Inet4Address> address, Optional<Inet6Address> address6,
        List<IpPrefix> staticRoutes) {

    public ShimSpec {
        staticRoutes = List.copyOf(staticRoutes);
    }
}
