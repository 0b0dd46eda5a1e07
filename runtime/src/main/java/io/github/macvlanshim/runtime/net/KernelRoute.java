package io.github.macvlanshim.runtime.net;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A route of the main table as the kernel shows it.
 *
 * @param device the output device, empty for routes without one (blackhole, multipath)
 * @param protocol the route protocol number (ip route ... proto N): who installed the route
 * @param metric the route's metric (priority); 0 when the kernel shows none
 * @param linkdown whether the kernel flags the route {@code linkdown}: its device has no carrier, so packets
 *        for the destination go nowhere although the route is in place
 */
public record KernelRoute(IpPrefix destination, Optional<String> device, Optional<InetAddress> gateway,
        Optional<InetAddress> source, int protocol, int metric, boolean linkdown) {

    /** A route the kernel does not flag {@code linkdown}. */
    public KernelRoute(IpPrefix destination, Optional<String> device, Optional<InetAddress> gateway,
            Optional<InetAddress> source, int protocol, int metric) {
        this(destination, device, gateway, source, protocol, metric, false);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(destination.toString());
        gateway.ifPresent(g -> text.append(" via ").append(IpLiterals.format(g)));
        device.ifPresent(d -> text.append(" dev ").append(d));
        text.append(" proto ").append(protocol);
        source.ifPresent(s -> text.append(" src ").append(IpLiterals.format(s)));
        if (metric != 0) {
            text.append(" metric ").append(metric);
        }
        if (linkdown) {
            text.append(" linkdown");
        }
        return text.toString();
    }
}
