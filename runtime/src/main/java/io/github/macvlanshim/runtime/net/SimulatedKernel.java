package io.github.macvlanshim.runtime.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.github.macvlanshim.runtime.net.Change.AddAddress;
import io.github.macvlanshim.runtime.net.Change.AddProxyNeighbour;
import io.github.macvlanshim.runtime.net.Change.AddRoute;
import io.github.macvlanshim.runtime.net.Change.CreateShim;
import io.github.macvlanshim.runtime.net.Change.DeleteAddress;
import io.github.macvlanshim.runtime.net.Change.DeleteProxyNeighbour;
import io.github.macvlanshim.runtime.net.Change.DeleteRoute;
import io.github.macvlanshim.runtime.net.Change.DeleteShim;
import io.github.macvlanshim.runtime.net.Change.EnableProxyNdp;
import io.github.macvlanshim.runtime.net.Change.MarkShim;
import io.github.macvlanshim.runtime.net.Change.SetMac;
import io.github.macvlanshim.runtime.net.Change.SetUp;
import io.github.macvlanshim.runtime.net.LinkAddress.Scope;

/**
 * A kernel, as far as plans go. Applies changes the way the kernel would, refusing what the kernel refuses (a
 * second link of one name, an address or route that already exists, deleting what is not there, a route
 * through a link that is down or from an address the host does not have), so a plan that only works on paper
 * fails here. Also lets tests cause the drift that other software on a host causes.
 * <p>
 * Not thread-safe: {@link InMemoryHostNetwork} is the engine's view of it in test mode.
 */
public final class SimulatedKernel {

    /** The kernel refused a change; the kernel is left as it was before that change. */
    public static final class Refused extends RuntimeException {

        Refused(Change change) {
            super("the kernel would refuse " + change);
        }
    }

    private final Map<String, Link> links;
    private final List<KernelRoute> routes;
    private final Set<ProxyNeighbour> proxies;

    public SimulatedKernel(NetworkState initial) {
        links = new LinkedHashMap<>(initial.links());
        routes = new ArrayList<>(initial.routes());
        proxies = new HashSet<>(initial.proxyNeighbours());
    }

    /** The state {@code changes} lead to from {@code state}; throws {@link Refused} at the first refused one. */
    public static NetworkState afterApplying(NetworkState state, List<Change> changes, int protocol) {
        SimulatedKernel kernel = new SimulatedKernel(state);
        changes.forEach(change -> kernel.apply(change, protocol));
        return kernel.state();
    }

    public NetworkState state() {
        return new NetworkState(links, routes, proxies);
    }

    /** Applies one change, routes marked (and deletes matched) with {@code protocol}. */
    public void apply(Change change, int protocol) {
        Link link = links.get(change.shim());
        if (change instanceof CreateShim create) {
            refuseIf(link != null || !links.containsKey(create.parent()), change);
            links.put(create.shim(), new Link(create.shim(), 100 + links.size(), Optional.of("macvlan"),
                    Optional.of("bridge"), Optional.of(create.parent()), create.mtu(), false, List.of(), false,
                    false, create.mac().orElse("02:00:00:00:00:" + (10 + links.size())), false));
        } else if (change instanceof MarkShim mark) {
            refuseIf(link == null, change);
            links.put(link.name(), link.withAlias(Optional.of(mark.marker())));
        } else if (change instanceof SetMac set) {
            refuseIf(link == null, change);
            links.put(link.name(), link.withMac(set.mac()));
        } else if (change instanceof EnableProxyNdp) {
            refuseIf(link == null, change);
            links.put(link.name(), withIpv6Sysctls(link, true));
        } else if (change instanceof AddAddress add) {
            refuseIf(link == null || hasAddress(link, add.address(), add.prefixLength()), change);
            List<LinkAddress> addresses = new ArrayList<>(link.addresses());
            addresses.add(new LinkAddress(add.address(), add.prefixLength(), Scope.GLOBAL, false));
            links.put(link.name(), withAddresses(link, addresses));
        } else if (change instanceof DeleteAddress delete) {
            refuseIf(link == null || !hasAddress(link, delete.address(), delete.prefixLength()), change);
            deleteAddress(link, delete);
        } else if (change instanceof SetUp) {
            refuseIf(link == null, change);
            List<LinkAddress> addresses = new ArrayList<>(link.addresses());
            if (addresses.stream().noneMatch(a -> a.scope() == Scope.LINK)) {
                addresses.add(new LinkAddress(IpLiterals.parse("fe80::ff:fe00:" + Integer.toHexString(link.index())),
                        64, Scope.LINK, false));
            }
            links.put(link.name(), withAddresses(withAdminUp(link, true), addresses));
        } else if (change instanceof AddProxyNeighbour add) {
            refuseIf(link == null || !proxies.add(new ProxyNeighbour(add.address(), add.shim())), change);
        } else if (change instanceof DeleteProxyNeighbour delete) {
            refuseIf(!proxies.remove(new ProxyNeighbour(delete.address(), delete.shim())), change);
        } else if (change instanceof AddRoute add) {
            addRoute(link, add, protocol);
        } else if (change instanceof DeleteRoute delete) {
            refuseIf(!routes.removeIf(r -> r.protocol() == protocol && r.destination().equals(delete.destination())
                    && r.metric() == delete.metric()
                    && (delete.shim().isEmpty() || r.device().equals(Optional.of(delete.shim())))), change);
        } else if (change instanceof DeleteShim) {
            refuseIf(link == null, change);
            deleteLink(link.name());
        }
    }

    // ---- drift, as other software on the host causes it -------------------------------------------------

    /** Deletes a link; the kernel takes its routes and proxy entries with it. */
    public void deleteLink(String name) {
        links.remove(name);
        routes.removeIf(r -> r.device().equals(Optional.of(name)));
        proxies.removeIf(p -> p.device().equals(name));
    }

    /** Sets a link down; the kernel flushes the routes through it. */
    public void setDown(String name) {
        links.put(name, withAdminUp(links.get(name), false));
        routes.removeIf(r -> r.device().equals(Optional.of(name)));
    }

    public void addRoute(KernelRoute route) {
        routes.add(route);
    }

    public void deleteRoutesTo(IpPrefix destination) {
        routes.removeIf(r -> r.destination().equals(destination));
    }

    // ---- kernel behaviour and link copies, shared with the tests' fixtures ------------------------------

    /** The metric the kernel gives a route added without one. */
    public static int defaultMetric(IpPrefix destination) {
        return destination.isIpv4() ? 0 : 1024;
    }

    public static Link withAdminUp(Link link, boolean up) {
        return new Link(link.name(), link.index(), link.kind(), link.macvlanMode(), link.parent(), link.mtu(), up,
                link.addresses(), link.ipv6Forwarding(), link.ipv6ProxyNdp(), link.mac(), up, link.alias());
    }

    /** Both IPv6 forwarding and proxy_ndp on or off. */
    public static Link withIpv6Sysctls(Link link, boolean on) {
        return new Link(link.name(), link.index(), link.kind(), link.macvlanMode(), link.parent(), link.mtu(),
                link.adminUp(), link.addresses(), on, on, link.mac(), link.carrier(), link.alias());
    }

    public static Link withAddresses(Link link, List<LinkAddress> addresses) {
        return new Link(link.name(), link.index(), link.kind(), link.macvlanMode(), link.parent(), link.mtu(),
                link.adminUp(), addresses, link.ipv6Forwarding(), link.ipv6ProxyNdp(), link.mac(), link.carrier(),
                link.alias());
    }

    /**
     * Deleting the host's last copy of an address makes the kernel drop the IPv4 routes that use it as source,
     * and strip it from the IPv6 routes on that device.
     */
    private void deleteAddress(Link link, DeleteAddress delete) {
        links.put(link.name(), withAddresses(link, link.addresses().stream()
                .filter(a -> !(a.address().equals(delete.address()) && a.prefixLength() == delete.prefixLength()))
                .toList()));
        boolean gone = links.values().stream().noneMatch(l -> l.addresses().stream()
                .anyMatch(a -> a.address().equals(delete.address())));
        Optional<InetAddress> source = Optional.of(delete.address());
        if (gone && delete.address() instanceof Inet4Address) {
            routes.removeIf(r -> r.source().equals(source));
        } else if (gone) {
            routes.replaceAll(r -> r.source().equals(source) && r.device().equals(Optional.of(link.name()))
                    ? new KernelRoute(r.destination(), r.device(), r.gateway(), Optional.empty(), r.protocol(),
                            r.metric(), r.type())
                    : r);
        }
    }

    private void addRoute(Link link, AddRoute add, int protocol) {
        int metric = defaultMetric(add.destination());
        refuseIf(link == null || !link.adminUp(), add);
        refuseIf(add.source().filter(s -> links.values().stream()
                .noneMatch(l -> l.addresses().stream().anyMatch(a -> a.address().equals(s)))).isPresent(), add);
        // After a replace nothing is left at that metric: the check below refuses only a plain add to a taken one.
        if (add.replace()) {
            routes.removeIf(r -> r.destination().equals(add.destination()) && r.metric() == metric);
        }
        refuseIf(routes.stream().anyMatch(r -> r.destination().equals(add.destination()) && r.metric() == metric),
                add);
        routes.add(new KernelRoute(add.destination(), Optional.of(add.shim()), Optional.empty(), add.source(),
                protocol, metric));
    }

    private static boolean hasAddress(Link link, InetAddress address, int prefixLength) {
        return link.addresses().stream().anyMatch(a -> a.address().equals(address) && a.prefixLength() == prefixLength);
    }

    private static void refuseIf(boolean refused, Change change) {
        if (refused) {
            throw new Refused(change);
        }
    }
}
