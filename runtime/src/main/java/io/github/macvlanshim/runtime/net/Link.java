package io.github.macvlanshim.runtime.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * A network interface as the kernel shows it.
 *
 * @param kind the link kind ("macvlan", "veth", ...), empty for a physical device
 * @param macvlanMode the macvlan mode ("bridge", "private", ...), empty unless {@code kind} is macvlan
 * @param parent the lower device of a macvlan (or a veth's peer), empty when the kernel names none
 * @param ipv6Forwarding net.ipv6.conf.NAME.forwarding
 * @param ipv6ProxyNdp net.ipv6.conf.NAME.proxy_ndp
 * @param mac the link-layer address as ip prints it, lower case ("02:42:c6:33:64:01"), empty when the kernel
 *        shows none
 * @param carrier whether the kernel sees the link itself up (flag LOWER_UP): an interface set up whose cable,
 *        peer or lower device is down has none, and routes through it are {@code linkdown}
 * @param alias the interface alias (ifalias), where macvlan-shim puts its {@link Ownership} marker
 */
public record Link(String name, int index, Optional<String> kind, Optional<String> macvlanMode, Optional<String> parent,
        int mtu, boolean adminUp, List<LinkAddress> addresses, boolean ipv6Forwarding, boolean ipv6ProxyNdp,
        String mac, boolean carrier, Optional<String> alias) {

    public Link {
        addresses = List.copyOf(addresses);
    }

    /** A link without alias. */
    public Link(String name, int index, Optional<String> kind, Optional<String> macvlanMode, Optional<String> parent,
            int mtu, boolean adminUp, List<LinkAddress> addresses, boolean ipv6Forwarding, boolean ipv6ProxyNdp,
            String mac, boolean carrier) {
        this(name, index, kind, macvlanMode, parent, mtu, adminUp, addresses, ipv6Forwarding, ipv6ProxyNdp, mac, carrier,
                Optional.empty());
    }

    /** A link whose carrier follows its admin state, whose MAC is not known, without alias: what planner tests need. */
    public Link(String name, int index, Optional<String> kind, Optional<String> macvlanMode, Optional<String> parent,
            int mtu, boolean adminUp, List<LinkAddress> addresses, boolean ipv6Forwarding, boolean ipv6ProxyNdp) {
        this(name, index, kind, macvlanMode, parent, mtu, adminUp, addresses, ipv6Forwarding, ipv6ProxyNdp, "",
                adminUp);
    }

    /** This link with {@code newAlias} as its alias. */
    public Link withAlias(Optional<String> newAlias) {
        return new Link(name, index, kind, macvlanMode, parent, mtu, adminUp, addresses, ipv6Forwarding, ipv6ProxyNdp,
                mac, carrier, newAlias);
    }

    /** This link with {@code newMac} as its link-layer address. */
    public Link withMac(String newMac) {
        return new Link(name, index, kind, macvlanMode, parent, mtu, adminUp, addresses, ipv6Forwarding, ipv6ProxyNdp,
                newMac, carrier, alias);
    }

    public boolean isMacvlanBridgeOn(String parentName) {
        return kind.filter("macvlan"::equals).isPresent()
                && macvlanMode.filter("bridge"::equals).isPresent()
                && parent.filter(parentName::equals).isPresent();
    }

    /** The first global, settled address of the family of {@code like}: what the kernel would pick as source. */
    public Optional<InetAddress> primaryAddress(Class<? extends InetAddress> family) {
        return addresses.stream()
                .filter(a -> a.isGlobal() && !a.tentative() && family.isInstance(a.address()))
                .map(LinkAddress::address)
                .findFirst();
    }

    public Optional<InetAddress> primaryIpv4() {
        return primaryAddress(Inet4Address.class);
    }

    public Optional<InetAddress> primaryIpv6() {
        return primaryAddress(Inet6Address.class);
    }

    public List<LinkAddress> globalAddresses() {
        return addresses.stream().filter(LinkAddress::isGlobal).toList();
    }

    /** Describes the link for messages: "veth", "macvlan (mode private) on eth1". */
    public String describe() {
        StringBuilder text = new StringBuilder(kind.orElse("a device without link kind"));
        macvlanMode.ifPresent(mode -> text.append(" (mode ").append(mode).append(')'));
        parent.ifPresent(p -> text.append(" on ").append(p));
        alias.ifPresent(a -> text.append(" (alias ").append(UntrustedText.quote(a)).append(')'));
        return text.toString();
    }
}
