package io.github.macvlanshim.runtime.reconcile;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.KernelRoute;
import io.github.macvlanshim.runtime.net.NetworkState;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.RouteStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.Served;
import io.github.macvlanshim.runtime.source.Endpoint;

/** Joins the owned routes the kernel shows with the endpoints that want them: which route serves whom. Pure. */
final class RouteStatuses {

    private static final Comparator<RouteStatus> ORDER = Comparator.comparing(RouteStatus::shim)
            .thenComparing(route -> route.destination().contains(":"))
            .thenComparing(RouteStatus::destination);

    private RouteStatuses() {
    }

    /**
     * Every owned route through a shim, each with every endpoint (of any source) whose address it is and whose
     * NIC sits on that shim's parent. A route nobody wants any more (not yet pruned) serves none.
     */
    static List<RouteStatus> of(NetworkState state, int protocol, List<Endpoint> endpoints, List<ShimSpec> shims) {
        Map<String, ShimSpec> byName = shims.stream().collect(Collectors.toMap(ShimSpec::name, Function.identity()));
        // One pass over the endpoints, not one per route: this runs at every reconcile, with hundreds of each.
        Map<IpPrefix, List<Endpoint>> byPrefix = endpoints.stream().collect(Collectors.groupingBy(Endpoint::prefix));
        return state.routes().stream()
                .filter(route -> route.protocol() == protocol && route.device().map(byName::containsKey).orElse(false))
                .map(route -> status(route, byName.get(route.device().orElseThrow()),
                        byPrefix.getOrDefault(route.destination(), List.of())))
                .sorted(ORDER)
                .toList();
    }

    private static final Comparator<Served> SERVED_ORDER = Comparator.comparing(Served::source)
            .thenComparing(Served::project).thenComparing(Served::instance).thenComparing(Served::nic);

    private static RouteStatus status(KernelRoute route, ShimSpec shim, List<Endpoint> sameAddress) {
        return new RouteStatus(route.destination().toString(), shim.name(), route.linkdown(), served(shim, sameAddress));
    }

    /** Most routes serve one endpoint: that case makes no stream, set or sort (this runs for every route). */
    private static List<Served> served(ShimSpec shim, List<Endpoint> sameAddress) {
        if (sameAddress.size() == 1) {
            Endpoint e = sameAddress.get(0);
            return e.parent().equals(shim.parent()) ? List.of(new Served(e.source(), e.project(), e.instance(), e.nic()))
                    : List.of();
        }
        return sameAddress.stream()
                .filter(e -> e.parent().equals(shim.parent()))
                .map(e -> new Served(e.source(), e.project(), e.instance(), e.nic()))
                .distinct()
                .sorted(SERVED_ORDER)
                .toList();
    }
}
