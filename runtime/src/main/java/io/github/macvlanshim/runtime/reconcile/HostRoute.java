package io.github.macvlanshim.runtime.reconcile;

import io.github.macvlanshim.runtime.net.IpPrefix;

/** A route that should exist: {@code destination} via the shim named {@code shim}, wanted by {@code origin}. */
public record HostRoute(IpPrefix destination, String shim, String origin) {
}
