package io.github.macvlanshim.runtime.net;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an engine owns, defined once: in its network namespace, the routes of table main that carry its route
 * protocol number, and the macvlan interfaces that carry its marker as their alias. The planner decides
 * "ours" only through this class, {@code on-stop=remove} removes only what it calls ours, and the engine's
 * lock is keyed by the same pair, (namespace, protocol), so no second engine can own the same things.
 * <p>
 * The marker is the interface alias {@code macvlan-shim:proto=N} ({@code ip link set dev SHIM alias ...},
 * shown as {@code ifalias} by {@code ip -d -j link}). A name alone proves nothing: an interface called like a
 * shim that does not carry the marker was made by someone else, and is reported and left alone.
 */
public record Ownership(int protocol) {

    static final String MARKER_PREFIX = "macvlan-shim:proto=";
    private static final Pattern ANY_MARKER = Pattern.compile(Pattern.quote(MARKER_PREFIX) + "[0-9]{1,3}");

    /** The alias this engine puts on every interface it creates or adopts. */
    public String marker() {
        return MARKER_PREFIX + protocol;
    }

    /** A route is ours when it carries our protocol number (routes are read from table main only). */
    public boolean owns(KernelRoute route) {
        return route.protocol() == protocol;
    }

    /** A macvlan carrying this engine's marker: made (or adopted) by an engine with our protocol. */
    public boolean isOurs(Link link) {
        return link.kind().filter("macvlan"::equals).isPresent() && link.alias().filter(marker()::equals).isPresent();
    }

    /** Ours, and a macvlan in bridge mode on {@code parent}: a shim we may repair as it is. */
    public boolean isOurShimOn(Link link, String parent) {
        return isOurs(link) && link.isMacvlanBridgeOn(parent);
    }

    /**
     * A shim left by a version before the marker: a macvlan in bridge mode on {@code parent} without any alias,
     * with at least one of our routes through it. Only an engine of our protocol put such routes there, so the
     * interface is taken as ours and marked. An unmarked macvlan without our routes proves nothing and stays
     * foreign.
     */
    public boolean isAdoptable(Link link, String parent, NetworkState state) {
        return link.alias().isEmpty() && link.isMacvlanBridgeOn(parent)
                && state.routes().stream().anyMatch(route -> owns(route)
                        && route.device().equals(Optional.of(link.name())));
    }

    /** Whether {@code alias} is the marker of some macvlan-shim engine, whatever its protocol. */
    public static boolean isAnyMarker(String alias) {
        return ANY_MARKER.matcher(alias).matches();
    }
}
