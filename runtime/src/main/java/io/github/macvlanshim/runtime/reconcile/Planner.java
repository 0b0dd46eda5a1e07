package io.github.macvlanshim.runtime.reconcile;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.github.macvlanshim.runtime.net.Change;
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
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.KernelRoute;
import io.github.macvlanshim.runtime.net.Link;
import io.github.macvlanshim.runtime.net.LinkAddress;
import io.github.macvlanshim.runtime.net.NetworkState;
import io.github.macvlanshim.runtime.net.Ownership;
import io.github.macvlanshim.runtime.net.ProxyNeighbour;

/**
 * Compares what should be true with what the kernel shows and lists the changes that close the gap. Pure:
 * the same inputs always give the same plan, and planning the state a plan leads to gives an empty one.
 * <p>
 * Ownership is decided by {@link Ownership} and nowhere else: a route is ours only if it carries our protocol,
 * an interface with a shim's name is ours only if it carries our marker (or is an unmarked shim of an older
 * version with our routes through it, which is then marked) and is a macvlan in bridge mode on the shim's
 * parent. Anything else is reported as a {@link Conflict} and never changed: a route of any type (unicast,
 * blackhole, unreachable, prohibit, throw, ...) to a wanted destination, an interface with a shim's name.
 */
public final class Planner {

    /**
     * The metric the kernel gives a route added without one. {@code ip route replace} overwrites only the
     * route to the same destination at that metric, so only such a route can be replaced in place.
     */
    private static final int DEFAULT_METRIC_IPV4 = 0;
    private static final int DEFAULT_METRIC_IPV6 = 1024;

    private static final Comparator<Inet6Address> BY_TEXT = Comparator.comparing(IpLiterals::format);

    private final Ownership ownership;

    /** The first of {@code routes} that {@code test} accepts, or null. */
    private static KernelRoute first(List<KernelRoute> routes, Predicate<KernelRoute> test) {
        for (KernelRoute route : routes) {
            if (test.test(route)) {
                return route;
            }
        }
        return null;
    }

    /** @param protocol the route protocol number that marks routes (and, through the marker, shims) as ours */
    public Planner(int protocol) {
        this(new Ownership(protocol));
    }

    public Planner(Ownership ownership) {
        this.ownership = ownership;
    }

    public Plan plan(DesiredState desired, NetworkState actual) {
        List<Change> shimChanges = new ArrayList<>();
        List<Conflict> conflicts = new ArrayList<>();
        Map<String, Shim> usable = new LinkedHashMap<>();
        for (ShimSpec spec : desired.shims()) {
            Optional<Link> parent = actual.link(spec.parent());
            if (parent.isEmpty()) {
                conflicts.add(new Conflict(spec.name(), Conflict.Kind.MISSING_PARENT, spec.parent(),
                        "parent " + spec.parent() + " missing: no interface of that name exists; the shim follows"
                                + " when it appears"));
                continue;
            }
            Optional<Link> existing = actual.link(spec.name());
            boolean adopted = existing.filter(link -> ownership.isAdoptable(link, spec.parent(), actual)).isPresent();
            if (existing.isPresent() && !adopted && !ownership.isOurShimOn(existing.get(), spec.parent())) {
                conflicts.add(foreignInterface(spec, existing.get()));
                continue;
            }
            Shim shim = new Shim(spec, parent.get());
            usable.put(spec.name(), shim);
            if (adopted) {
                shimChanges.add(new MarkShim(spec.name(), ownership.marker()));
            }
            shimChanges.addAll(existing.map(link -> shim.repair(link, actual)).orElseGet(() -> shim.create(actual, ownership)));
        }

        List<KernelRoute> routes = afterAddressDeletes(actual, shimChanges);
        Map<IpPrefix, List<KernelRoute>> routesTo = routes.stream()
                .collect(Collectors.groupingBy(KernelRoute::destination, LinkedHashMap::new, Collectors.toList()));
        Set<KernelRoute> superseded = new HashSet<>();
        List<Change> routeAdds = new ArrayList<>();
        for (HostRoute route : desired.routes()) {
            Shim shim = usable.get(route.shim());
            if (shim == null) {
                // Its shim is in conflict (already reported); its routes, present or not, wait for it.
                continue;
            }
            // Loops, not streams: this runs for every wanted route at every reconcile, and mostly finds one route or none.
            List<KernelRoute> present = routesTo.getOrDefault(route.destination(), List.of());
            KernelRoute foreign = first(present, r -> !ownership.owns(r));
            if (foreign != null) {
                conflicts.add(new Conflict(route.shim(), Conflict.Kind.FOREIGN_ROUTE, route.destination().toString(),
                        "route " + foreign + " is not ours (proto " + ownership.protocol() + "); " + route.origin()
                                + " wants " + route.destination() + " via " + route.shim() + "; left alone"));
                continue;
            }
            Optional<InetAddress> source = shim.source(route.destination());
            // The route to keep: the exact one, else the one a replacing add takes the place of (same metric).
            KernelRoute keep = first(present, r -> isExactly(r, route, source));
            if (keep == null) {
                int metric = defaultMetric(route.destination());
                keep = first(present, r -> r.metric() == metric);
                routeAdds.add(new AddRoute(route.shim(), route.destination(), source, route.origin(), keep != null));
            }
            for (KernelRoute r : present) {
                if (!r.equals(keep)) {
                    superseded.add(r);
                }
            }
        }

        Set<IpPrefix> wanted = desired.routes().stream().map(HostRoute::destination).collect(Collectors.toSet());
        List<DeleteRoute> routeDeletes = routes.stream()
                .filter(ownership::owns)
                .filter(r -> superseded.contains(r) || desired.pruneAllowed() && !wanted.contains(r.destination()))
                .map(Planner::delete)
                .toList();

        // Deletes go before adds: they free a destination before anything is added to it, so an add is never
        // refused for a route this very plan takes away.
        List<Change> changes = new ArrayList<>(shimChanges);
        changes.addAll(routeDeletes);
        changes.addAll(routeAdds);
        return new Plan(changes, conflicts);
    }

    /**
     * What on-stop=remove takes away: every owned route, then every configured shim that is really ours (marked,
     * or an unmarked one of an older version that our routes go through). Proxy NDP entries go with the shim
     * they sit on.
     */
    public Plan removal(List<ShimSpec> shims, NetworkState actual) {
        List<Change> changes = new ArrayList<>();
        actual.routes().stream().filter(ownership::owns).map(Planner::delete).forEach(changes::add);
        List<Conflict> conflicts = new ArrayList<>();
        for (ShimSpec spec : shims) {
            actual.link(spec.name()).ifPresent(link -> {
                if (ownership.isOurShimOn(link, spec.parent()) || ownership.isAdoptable(link, spec.parent(), actual)) {
                    changes.add(new DeleteShim(spec.name()));
                } else {
                    conflicts.add(foreignInterface(spec, link));
                }
            });
        }
        return new Plan(changes, conflicts);
    }

    /**
     * The shims an earlier run of an engine with our protocol left behind and that are configured no more (renamed
     * away, say, while that run could not clean up): macvlans carrying our marker whose names no shim has. Taking
     * one away takes the routes through it. Unmarked interfaces and other protocols' shims are never listed.
     */
    public Plan leftovers(List<ShimSpec> shims, NetworkState actual) {
        Set<String> configured = shims.stream().map(ShimSpec::name).collect(Collectors.toSet());
        List<Change> changes = actual.links().values().stream()
                .filter(ownership::isOurs)
                .filter(link -> !configured.contains(link.name()))
                .map(link -> (Change) new DeleteShim(link.name()))
                .toList();
        return new Plan(changes, List.of());
    }

    /**
     * The main table as the kernel will show it once the shim changes are made. Deleting the host's last copy
     * of an address makes the kernel drop the IPv4 routes that use it as source, and strip it from the IPv6
     * routes on that device. Planning routes against that table keeps the plan valid (no delete of a route
     * that is already gone, which would stop the batch) and complete (a route that loses its source is put
     * back in the same plan).
     */
    private static List<KernelRoute> afterAddressDeletes(NetworkState actual, List<Change> shimChanges) {
        List<DeleteAddress> deletes = shimChanges.stream()
                .filter(DeleteAddress.class::isInstance)
                .map(DeleteAddress.class::cast)
                .toList();
        if (deletes.isEmpty()) {
            return actual.routes();
        }
        Set<InetAddress> stillHeld = actual.links().values().stream()
                .flatMap(link -> link.addresses().stream()
                        .filter(present -> deletes.stream().noneMatch(delete -> delete.shim().equals(link.name())
                                && delete.address().equals(present.address())
                                && delete.prefixLength() == present.prefixLength()))
                        .map(LinkAddress::address))
                .collect(Collectors.toSet());
        List<KernelRoute> routes = new ArrayList<>();
        for (KernelRoute route : actual.routes()) {
            Optional<DeleteAddress> lost = deletes.stream()
                    .filter(delete -> route.source().equals(Optional.of(delete.address())))
                    .filter(delete -> !stillHeld.contains(delete.address()))
                    .findFirst();
            if (lost.isEmpty()) {
                routes.add(route);
            } else if (lost.get().address() instanceof Inet6Address) {
                routes.add(route.device().equals(Optional.of(lost.get().shim()))
                        ? new KernelRoute(route.destination(), route.device(), route.gateway(), Optional.empty(),
                                route.protocol(), route.metric(), route.type())
                        : route);
            }
        }
        return routes;
    }

    private static boolean isExactly(KernelRoute present, HostRoute wanted, Optional<InetAddress> source) {
        return present.type() == KernelRoute.Type.UNICAST && present.device().filter(wanted.shim()::equals).isPresent()
                && present.gateway().isEmpty()
                && present.source().equals(source);
    }

    private static int defaultMetric(IpPrefix destination) {
        return destination.isIpv4() ? DEFAULT_METRIC_IPV4 : DEFAULT_METRIC_IPV6;
    }

    private static DeleteRoute delete(KernelRoute route) {
        return new DeleteRoute(route.device().orElse(""), route.destination(), route.metric());
    }

    private static Conflict foreignInterface(ShimSpec spec, Link link) {
        return new Conflict(spec.name(), Conflict.Kind.FOREIGN_INTERFACE, spec.name(), "interface " + spec.name()
                + " exists as " + link.describe() + ", not a macvlan in bridge mode on " + spec.parent()
                + " marked as ours; left alone");
    }

    private static int hostLength(InetAddress address) {
        return address instanceof Inet4Address ? 32 : 128;
    }

    /**
     * A usable shim and its parent, with the route source of each family worked out once per plan: it is the
     * same for every route of that family, and there may be thousands.
     */
    private record Shim(ShimSpec spec, Link parent, Optional<InetAddress> source4, Optional<InetAddress> source6) {

        Shim(ShimSpec spec, Link parent) {
            this(spec, parent, spec.address().map(InetAddress.class::cast).or(parent::primaryIpv4),
                    spec.address6().map(InetAddress.class::cast).or(parent::primaryIpv6));
        }

        String name() {
            return spec.name();
        }

        List<Change> create(NetworkState actual, Ownership ownership) {
            List<Change> changes = new ArrayList<>();
            changes.add(new CreateShim(name(), parent.name(), parent.mtu(), spec.mac()));
            changes.add(new MarkShim(name(), ownership.marker()));
            changes.add(new EnableProxyNdp(name()));
            configured().forEach(address -> changes.add(new AddAddress(name(), address, hostLength(address))));
            changes.add(new SetUp(name()));
            changes.addAll(proxyNeighbours(actual));
            return changes;
        }

        List<Change> repair(Link link, NetworkState actual) {
            List<Change> changes = new ArrayList<>();
            spec.mac().filter(mac -> !link.mac().equals(mac))
                    .ifPresent(mac -> changes.add(new SetMac(name(), mac)));
            if (!link.ipv6Forwarding() || !link.ipv6ProxyNdp()) {
                changes.add(new EnableProxyNdp(name()));
            }
            // Only global addresses can be ours to remove: the link-local one the kernel gives every
            // interface is what IPv6 neighbour discovery on the shim runs on.
            link.globalAddresses().stream()
                    .filter(present -> !isConfigured(present))
                    .forEach(present -> changes.add(new DeleteAddress(name(), present.address(), present.prefixLength())));
            configured().stream()
                    .filter(address -> link.addresses().stream()
                            .noneMatch(present -> present.address().equals(address)
                                    && present.prefixLength() == hostLength(address)))
                    .forEach(address -> changes.add(new AddAddress(name(), address, hostLength(address))));
            if (!link.adminUp()) {
                changes.add(new SetUp(name()));
            }
            changes.addAll(proxyNeighbours(actual));
            return changes;
        }

        /**
         * Instances reach the host's own IPv6 addresses through the shim only if the shim answers neighbour
         * solicitations for them: so one proxy entry per global IPv6 address of the parent, and no other.
         */
        private List<Change> proxyNeighbours(NetworkState actual) {
            List<Inet6Address> wanted = parent.globalAddresses().stream()
                    .map(LinkAddress::address)
                    .filter(Inet6Address.class::isInstance)
                    .map(Inet6Address.class::cast)
                    .toList();
            Set<Inet6Address> present = actual.proxyNeighbours().stream()
                    .filter(neighbour -> neighbour.device().equals(name()))
                    .map(ProxyNeighbour::address)
                    .collect(Collectors.toSet());
            List<Change> changes = new ArrayList<>();
            wanted.stream().filter(address -> !present.contains(address))
                    .forEach(address -> changes.add(new AddProxyNeighbour(name(), address)));
            present.stream().filter(address -> !wanted.contains(address)).sorted(BY_TEXT)
                    .forEach(address -> changes.add(new DeleteProxyNeighbour(name(), address)));
            return changes;
        }

        /**
         * The shim's own address of the destination's family; in address-less mode the parent's, which the
         * host answers for on the shim too (ARP, or proxy NDP for IPv6). None when neither has one.
         */
        Optional<InetAddress> source(IpPrefix destination) {
            return destination.isIpv4() ? source4 : source6;
        }

        private List<InetAddress> configured() {
            return Stream.concat(spec.address().stream(), spec.address6().stream()).map(InetAddress.class::cast).toList();
        }

        private boolean isConfigured(LinkAddress present) {
            return present.prefixLength() == hostLength(present.address()) && configured().contains(present.address());
        }
    }
}
