package io.github.macvlanshim.runtime.health;

import java.util.List;

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
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.Outcome;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ShimStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.SourceStatus;
import io.github.macvlanshim.runtime.source.UnroutableNic;

/**
 * UP when nothing stands in the way: the last reconcile converged with nothing pending, every parent is up with
 * carrier, every shim present, up and addressed, no owned route linkdown, every source answering
 * ({@link ReconcileStatus#notReadyReasons()}). DOWN names each reason; {@code message} is the verdict in words
 * and never says more than the status does. {@code host-network} tells what the engine works on (in test mode,
 * an in-memory host network).
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

    /** The readiness response for {@code status}: public so that embedding applications and tests can render one. */
    public static HealthCheckResponse response(ReconcileStatus status, EngineMode mode) {
        List<String> reasons = status.notReadyReasons();
        boolean ready = status.ready();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(NAME).status(ready)
                .withData("host-network", mode.description())
                .withData("outcome", outcome(status, ready))
                .withData("message", message(status, ready, reasons))
                .withData("last-reconcile", status.lastCompleted().map(Object::toString).orElse("never"))
                .withData("last-reconcile.outcome", status.outcome().name().toLowerCase())
                .withData("pending-changes", status.pendingChanges());
        for (int i = 0; i < reasons.size(); i++) {
            builder.withData("reason." + i, reasons.get(i));
        }
        for (ShimStatus shim : status.shims()) {
            builder.withData("shim." + shim.name() + ".state", shim.state())
                    .withData("shim." + shim.name() + ".parent", shim.parent() + " "
                            + shim.parentState().name().toLowerCase().replace('_', ' '))
                    .withData("shim." + shim.name() + ".routes", shim.routes())
                    .withData("shim." + shim.name() + ".linkdown-routes", shim.linkdownRoutes())
                    .withData("shim." + shim.name() + ".conflicts", shim.conflicts());
        }
        for (SourceStatus source : status.sources()) {
            builder.withData("source." + source.name(), source.reachable()
                    ? "reachable, " + source.endpoints() + " endpoints"
                    : source.describe());
            if (!source.daemon().isEmpty()) {
                builder.withData("source." + source.name() + ".daemon", source.daemon());
            }
            int nic = 0;
            for (UnroutableNic unroutable : source.unroutable()) {
                builder.withData("source." + source.name() + ".not-routed." + nic++, unroutable.toString());
            }
        }
        int index = 0;
        for (Conflict conflict : status.conflicts()) {
            builder.withData("conflict." + index++, conflict.toString());
        }
        builder.withData("refused-changes", status.refused().size());
        index = 0;
        for (ReconcileStatus.RefusedChange refused : status.refused()) {
            builder.withData("refused." + index++, refused.toString());
        }
        return builder.build();
    }

    /**
     * One word that agrees with the status: the reconcile's own outcome ("converged", "pending", "failed",
     * "not_run", "idle"), except "not_ready" when the reconcile converged yet something else (a parent, a
     * source, linkdown routes) keeps the host from being as it should.
     */
    static String outcome(ReconcileStatus status, boolean ready) {
        if (status.outcome() == Outcome.CONVERGED && !ready) {
            return "not_ready";
        }
        return status.outcome().name().toLowerCase();
    }

    /** The verdict: what readiness says, in words, with the first reason when DOWN. */
    static String message(ReconcileStatus status, boolean ready, List<String> reasons) {
        if (status.outcome() == Outcome.IDLE) {
            return status.message();
        }
        if (ready) {
            int routes = status.shims().stream().mapToInt(ShimStatus::routes).sum();
            return "ready: " + status.shims().size() + " shims, " + routes + " routes"
                    + (status.conflicts().isEmpty() ? "" : ", " + status.conflicts().size() + " conflicts left alone");
        }
        return "not ready: " + reasons.get(0) + (reasons.size() > 1 ? " (and " + (reasons.size() - 1) + " more)" : "");
    }
}
