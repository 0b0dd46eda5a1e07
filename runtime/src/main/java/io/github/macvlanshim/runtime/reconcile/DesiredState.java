package io.github.macvlanshim.runtime.reconcile;

import java.util.List;

/**
 * What should be true: the shims and the routes through them.
 *
 * @param pruneAllowed whether owned routes that nobody wants may be deleted; false while some source has
 *        never given a snapshot, so that a source that is down never causes deletions
 */
public record DesiredState(List<ShimSpec> shims, List<HostRoute> routes, boolean pruneAllowed) {

    public DesiredState {
        shims = List.copyOf(shims);
        routes = List.copyOf(routes);
    }
}
