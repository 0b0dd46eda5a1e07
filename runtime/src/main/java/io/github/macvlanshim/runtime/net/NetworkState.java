package io.github.macvlanshim.runtime.net;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** What one read of the kernel showed: links with their addresses, main-table routes, proxy NDP entries. */
public record NetworkState(Map<String, Link> links, List<KernelRoute> routes, Set<ProxyNeighbour> proxyNeighbours) {

    public NetworkState {
        links = Map.copyOf(links);
        routes = List.copyOf(routes);
        proxyNeighbours = Set.copyOf(proxyNeighbours);
    }

    public static NetworkState of(List<Link> links, List<KernelRoute> routes, Set<ProxyNeighbour> proxyNeighbours) {
        return new NetworkState(links.stream().collect(Collectors.toMap(Link::name, Function.identity(), (a, b) -> a)),
                routes, proxyNeighbours);
    }

    public Optional<Link> link(String name) {
        return Optional.ofNullable(links.get(name));
    }
}
