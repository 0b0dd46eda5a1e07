package io.github.macvlanshim.runtime.reconcile;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.source.Endpoint;

/** Turns the shims and the endpoints the sources report into the routes that should exist. Pure. */
public final class DesiredStateBuilder {

    /**
     * Sources report endpoints in no particular order; sorting first makes "the first endpoint wins" the same
     * on every run, so a duplicated prefix never flips its origin between reconciles. Keys are made once per endpoint,
     * not once per comparison.
     */
    private static final Comparator<Sorted<Endpoint>> ENDPOINT_ORDER = Comparator.<Sorted<Endpoint>, String> comparing(
            Sorted::key).thenComparing(Sorted::text);

    /** A stable order makes plans, logs and health data comparable from one run to the next. */
    private static final Comparator<Sorted<HostRoute>> ROUTE_ORDER = Comparator
            .<Sorted<HostRoute>, String> comparing(sorted -> sorted.value().shim())
            .thenComparing(sorted -> !sorted.value().destination().isIpv4())
            .thenComparing(Sorted::text);

    /** A value with the strings it sorts by. */
    private record Sorted<T>(T value, String key, String text) {
    }

    private DesiredStateBuilder() {
    }

    /**
     * One route per destination prefix, through the shim that serves the endpoint's parent. Endpoints on a
     * parent no shim serves are dropped: no shim could reach them.
     */
    public static DesiredState build(List<ShimSpec> shims, List<Endpoint> endpoints, boolean pruneAllowed) {
        Map<String, ShimSpec> shimByParent = shims.stream()
                .collect(Collectors.toMap(ShimSpec::parent, Function.identity(), (first, second) -> first));
        Map<IpPrefix, HostRoute> routes = new LinkedHashMap<>();
        endpoints.stream().map(endpoint -> new Sorted<>(endpoint, endpoint.origin(), endpoint.prefix().toString()))
                .sorted(ENDPOINT_ORDER).forEach(sorted -> {
                    Endpoint endpoint = sorted.value();
                    ShimSpec shim = shimByParent.get(endpoint.parent());
                    if (shim != null && !isOwnAddress(shim, endpoint.prefix())) {
                        routes.putIfAbsent(endpoint.prefix(), new HostRoute(endpoint.prefix(), shim.name(), sorted.key()));
                    }
                });
        List<HostRoute> ordered = routes.values().stream()
                .map(route -> new Sorted<>(route, route.shim(), route.destination().toString()))
                .sorted(ROUTE_ORDER).map(Sorted::value).toList();
        return new DesiredState(shims, ordered, pruneAllowed);
    }

    /** A host route to the shim's own address would send the host's own traffic for it out of the shim. */
    private static boolean isOwnAddress(ShimSpec shim, IpPrefix prefix) {
        Optional<InetAddress> own = prefix.isIpv4() ? shim.address().map(InetAddress.class::cast)
                : shim.address6().map(InetAddress.class::cast);
        return prefix.isHost() && own.filter(prefix.address()::equals).isPresent();
    }
}
