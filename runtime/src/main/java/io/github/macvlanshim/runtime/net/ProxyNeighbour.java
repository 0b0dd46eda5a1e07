package io.github.macvlanshim.runtime.net;

import java.net.Inet6Address;

/** A proxy NDP entry: the kernel answers neighbour solicitations for {@code address} on {@code device}. */
public record ProxyNeighbour(Inet6Address address, String device) {

    @Override
    public String toString() {
        return IpLiterals.format(address) + " dev " + device;
    }
}
