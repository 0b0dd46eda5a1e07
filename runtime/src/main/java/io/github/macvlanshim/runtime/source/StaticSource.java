package io.github.macvlanshim.runtime.source;

import java.util.List;

import io.github.macvlanshim.runtime.reconcile.ShimSpec;

/** The prefixes each shim's {@code static-routes} names: always wanted, like unRAID's "host access" ranges. */
public final class StaticSource implements InstanceSource {

    public static final String NAME = "static";

    private final List<Endpoint> endpoints;

    public StaticSource(List<ShimSpec> shims) {
        this.endpoints = shims.stream()
                .flatMap(shim -> shim.staticRoutes().stream()
                        .map(prefix -> new Endpoint(NAME, "", shim.name(), "", shim.parent(), prefix)))
                .toList();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Endpoint> snapshot() {
        return endpoints;
    }
}
