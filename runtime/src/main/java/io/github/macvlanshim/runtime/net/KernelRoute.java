package io.github.macvlanshim.runtime.net;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A route of the main table as the kernel shows it.
 *
 * @param device the output device, empty for routes without one (blackhole, multipath)
 * @param protocol the route protocol number (ip route ... proto N): who installed the route
 * @param metric the route's metric (priority); 0 when the kernel shows none
 * @param type the route type: unicast, or blackhole, unreachable, prohibit, throw and the others; a route of
 *        any type to a wanted destination is in the way unless it is ours
 * @param linkdown whether the kernel flags the route {@code linkdown}: its device has no carrier, so packets
 *        for the destination go nowhere although the route is in place
 */
public record KernelRoute(IpPrefix destination, Optional<String> device, Optional<InetAddress> gateway,
        Optional<InetAddress> source, int protocol, int metric, Type type, boolean linkdown) {

    /** rtnetlink's route types (rtm_type), as {@code ip -N} prints them: by number. */
    public enum Type {
        UNICAST(1), LOCAL(2), BROADCAST(3), ANYCAST(4), MULTICAST(5), BLACKHOLE(6), UNREACHABLE(7), PROHIBIT(8),
        THROW(9), NAT(10), OTHER(-1);

        private static final Type[] ALL = values();

        private final int number;
        private final String word;

        Type(int number) {
            this.number = number;
            this.word = name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The type ip's word {@code word} names ("blackhole"), if any but OTHER. */
        public static java.util.Optional<Type> ofWord(String word) {
            for (Type type : ALL) {
                if (type != OTHER && type.word.equals(word)) {
                    return java.util.Optional.of(type);
                }
            }
            return java.util.Optional.empty();
        }

        /** The type of rtm_type {@code number}; OTHER for one this list does not know. */
        public static Type of(int number) {
            for (Type type : ALL) {
                if (type.number == number) {
                    return type;
                }
            }
            return OTHER;
        }

        /** The word ip uses ("blackhole"). */
        public String word() {
            return word;
        }
    }

    /** A unicast route: what macvlan-shim makes, and what most routes are. */
    public KernelRoute(IpPrefix destination, Optional<String> device, Optional<InetAddress> gateway,
            Optional<InetAddress> source, int protocol, int metric) {
        this(destination, device, gateway, source, protocol, metric, Type.UNICAST, false);
    }

    /** A route of {@code type} that the kernel does not flag {@code linkdown}. */
    public KernelRoute(IpPrefix destination, Optional<String> device, Optional<InetAddress> gateway,
            Optional<InetAddress> source, int protocol, int metric, Type type) {
        this(destination, device, gateway, source, protocol, metric, type, false);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(type == Type.UNICAST ? "" : type.word() + " ");
        text.append(destination);
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
