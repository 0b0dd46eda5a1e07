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
 * @param alias the interface alias (ifalias), where macvlan-shim puts its {@link Ownership} marker
 * @param mac the link-layer address, lower case ("02:00:5e:10:00:01"), empty when the kernel shows none
 */
public record Link(String name, int index, Optional<String> kind, Optional<String> macvlanMode, Optional<String> parent,
        int mtu, boolean adminUp, List<LinkAddress> addresses, boolean ipv6Forwarding, boolean ipv6ProxyNdp,
        Optional<String> alias, Optional<String> mac) {

    public Link {
        addresses = List.copyOf(addresses);
    }

    /** A link without alias and without a known MAC: what fixtures and links of no interest need. */
    public Link(String name, int index, Optional<String> kind, Optional<String> macvlanMode, Optional<String> parent,
            int mtu, boolean adminUp, List<LinkAddress> addresses, boolean ipv6Forwarding, boolean ipv6ProxyNdp) {
        this(name, index, kind, macvlanMode, parent, mtu, adminUp, addresses, ipv6Forwarding, ipv6ProxyNdp,
                Optional.empty(), Optional.empty());
    }

    /** This link with {@code alias} as its alias. */
    public Link withAlias(Optional<String> newAlias) {
        return new Link(name, index, kind, macvlanMode, parent, mtu, adminUp, addresses, ipv6Forwarding, ipv6ProxyNdp,
                newAlias, mac);
    }

    /** This link with {@code mac} as its link-layer address. */
    public Link withMac(Optional<String> newMac) {
        return new Link(name, index, kind, macvlanMode, parent, mtu, adminUp, addresses, ipv6Forwarding, ipv6ProxyNdp,
                alias, newMac);
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
