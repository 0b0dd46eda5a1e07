package io.github.macvlanshim.runtime.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.github.macvlanshim.runtime.MacvlanShimEngine;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.Outcome;

/**
 * UP while idle (no shim configured); DOWN when no reconcile has completed (whatever its outcome) within three
 * intervals (the loop is stuck), or when the event-driven reconcile loop died.
 */
@Liveness
@ApplicationScoped
public class MacvlanShimLivenessCheck implements HealthCheck {

    static final int MISSED_INTERVALS = 3;

    @Inject
    MacvlanShimEngine engine;

    Clock clock = Clock.systemUTC();

    @Override
    public HealthCheckResponse call() {
        ReconcileStatus status = engine.status();
        Optional<Instant> last = status.lastCompleted();
        Duration interval = engine.settings().interval();
        return HealthCheckResponse.named(MacvlanShimReadinessCheck.NAME)
                .status(status.outcome() == Outcome.IDLE
                        || engine.loopAlive() && alive(last, clock.instant(), interval))
                .withData("last-reconcile", last.map(Object::toString).orElse("never"))
                .withData("reconcile-loop", engine.loopAlive() ? "running" : "died")
                .withData("interval", interval.toString())
                .build();
    }

    static boolean alive(Optional<Instant> lastCompleted, Instant now, Duration interval) {
        return lastCompleted.map(last -> !last.plus(interval.multipliedBy(MISSED_INTERVALS)).isBefore(now))
                .orElse(false);
    }
}
