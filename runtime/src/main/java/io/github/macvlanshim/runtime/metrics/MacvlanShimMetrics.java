package io.github.macvlanshim.runtime.metrics;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.github.macvlanshim.runtime.MacvlanShimEngine;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.net.Change;
import io.github.macvlanshim.runtime.reconcile.ReconcileReport;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ShimStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The meters, in Prometheus names: macvlan_shim_routes{shim}, macvlan_shim_conflicts{shim},
 * macvlan_shim_reconcile_seconds{outcome}, macvlan_shim_route_changes_total{shim,op} and
 * macvlan_shim_repairs_total{shim,what}. A bean only when Micrometer is present and metrics are enabled.
 */
@Singleton
public class MacvlanShimMetrics {

    private final MeterRegistry registry;

    @Inject
    public MacvlanShimMetrics(MeterRegistry registry, EngineSettings settings, MacvlanShimEngine engine) {
        this.registry = registry;
        settings.shims().forEach(shim -> {
            Gauge.builder("macvlan.shim.routes", engine, e -> shimStatus(e, shim.name()).routes())
                    .description("Owned routes through the shim, as the kernel showed them at the last reconcile")
                    .tag("shim", shim.name())
                    .register(registry);
            Gauge.builder("macvlan.shim.conflicts", engine, e -> shimStatus(e, shim.name()).conflicts())
                    .description("Foreign routes or interfaces in the shim's way, left alone")
                    .tag("shim", shim.name())
                    .register(registry);
        });
    }

    void onReconcile(@Observes ReconcileReport report) {
        Timer.builder("macvlan.shim.reconcile")
                .description("Time of one reconcile: gather, read, plan, apply")
                .tag("outcome", report.outcome().name().toLowerCase())
                .register(registry)
                .record(report.duration());
        for (Change change : report.applied()) {
            String op = change instanceof Change.AddRoute add ? (add.replace() ? "replace" : "add")
                    : change instanceof Change.DeleteRoute ? "delete" : null;
            if (op != null) {
                Counter.builder("macvlan.shim.route.changes")
                        .description("Owned routes added, replaced or deleted")
                        .tags("shim", change.shim(), "op", op)
                        .register(registry)
                        .increment();
            }
        }
        report.repairs().forEach(repair -> Counter.builder("macvlan.shim.repairs")
                .description("Drift repaired: a shim, address, up state, proxy NDP setting or route that had been"
                        + " in place and was lost")
                .tags("shim", repair.shim(), "what", repair.what())
                .register(registry)
                .increment());
    }

    private static ShimStatus shimStatus(MacvlanShimEngine engine, String shim) {
        return engine.status().shims().stream().filter(s -> s.name().equals(shim)).findFirst()
                .orElse(new ShimStatus(shim, "", false, false, false, 0, 0));
    }
}
