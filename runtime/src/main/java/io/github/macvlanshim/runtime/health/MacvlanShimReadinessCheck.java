package io.github.macvlanshim.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.github.macvlanshim.runtime.EngineMode;
import io.github.macvlanshim.runtime.MacvlanShimEngine;
import io.github.macvlanshim.runtime.reconcile.Conflict;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ShimStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.SourceStatus;
import io.github.macvlanshim.runtime.source.UnroutableNic;

/**
 * UP when every shim is present, up and addressed as configured, every source answered, and the last
 * reconcile converged. The data tells what the engine works on (in test mode, an in-memory host network), and,
 * per shim, its state, route count and conflicts.
 */
@Readiness
@ApplicationScoped
public class MacvlanShimReadinessCheck implements HealthCheck {

    static final String NAME = "macvlan-shim";

    @Inject
    MacvlanShimEngine engine;

    @Override
    public HealthCheckResponse call() {
        return response(engine.status(), engine.mode());
    }

    static HealthCheckResponse response(ReconcileStatus status, EngineMode mode) {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(NAME).status(status.ready())
                .withData("host-network", mode.description())
                .withData("outcome", status.outcome().name().toLowerCase())
                .withData("message", status.message())
                .withData("last-reconcile", status.lastCompleted().map(Object::toString).orElse("never"))
                .withData("pending-changes", status.pendingChanges());
        for (ShimStatus shim : status.shims()) {
            builder.withData("shim." + shim.name() + ".state", state(shim))
                    .withData("shim." + shim.name() + ".routes", shim.routes())
                    .withData("shim." + shim.name() + ".conflicts", shim.conflicts());
        }
        for (SourceStatus source : status.sources()) {
            builder.withData("source." + source.name(), source.reachable()
                    ? "reachable, " + source.endpoints() + " endpoints"
                    : "unreachable: " + source.error());
            int nic = 0;
            for (UnroutableNic unroutable : source.unroutable()) {
                builder.withData("source." + source.name() + ".not-routed." + nic++, unroutable.toString());
            }
        }
        int index = 0;
        for (Conflict conflict : status.conflicts()) {
            builder.withData("conflict." + index++, conflict.toString());
        }
        return builder.build();
    }

    private static String state(ShimStatus shim) {
        if (!shim.present()) {
            return "missing";
        }
        if (!shim.up()) {
            return "down";
        }
        return shim.addressed() ? "ok" : "address missing";
    }
}
