package io.github.macvlanshim.runtime.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.Outcome;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ParentState;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ShimStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.SourceStatus;

/** Readiness is derived from the status alone: each state that keeps the host from being right is a reason. */
class ReconcileStatusTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final SourceStatus STATIC = new SourceStatus("static", SourceStatus.State.REACHABLE, "", 1, Optional.of(NOW), true);

    private static ShimStatus shim(ParentState parent, boolean present, boolean up, int routes, int linkdown) {
        return new ShimStatus("mynet", "eth0", parent, present, up, true, List.of("198.51.100.72/32"), "02:00:00:00:00:01",
                routes, linkdown, 0);
    }

    private static ReconcileStatus status(Outcome outcome, int pending, ShimStatus shim, SourceStatus... sources) {
        return new ReconcileStatus(Optional.of(NOW), "tick", outcome, outcome == Outcome.CONVERGED ? "converged" : "x",
                pending, 0, List.of(shim), List.of(), List.of(sources), List.of());
    }

    @Test
    void convergedWithEverythingUpIsReadyWithNoReason() {
        ReconcileStatus status = status(Outcome.CONVERGED, 0, shim(ParentState.UP, true, true, 2, 0), STATIC);
        assertThat(status.notReadyReasons()).isEmpty();
        assertThat(status.ready()).isTrue();
    }

    @Test
    void aParentWithoutCarrierAndItsLinkdownRoutesAreTwoReasons() {
        ReconcileStatus status = status(Outcome.CONVERGED, 0, shim(ParentState.NO_CARRIER, true, true, 2, 2), STATIC);
        assertThat(status.ready()).isFalse();
        assertThat(status.notReadyReasons()).containsExactly(
                "parent eth0 of shim mynet has no carrier (link down): nothing reaches the instances on it",
                "2 of 2 routes via mynet are linkdown");
    }

    @Test
    void aParentSetDownIsAReason() {
        assertThat(status(Outcome.CONVERGED, 0, shim(ParentState.DOWN, true, true, 0, 0), STATIC).notReadyReasons())
                .containsExactly("parent eth0 of shim mynet is set down");
    }

    @Test
    void aMissingParentIsOneReasonNotAlsoAMissingShim() {
        assertThat(status(Outcome.CONVERGED, 0, shim(ParentState.MISSING, false, false, 0, 0), STATIC).notReadyReasons())
                .containsExactly("parent eth0 of shim mynet does not exist; the shim follows when it appears");
    }

    @Test
    void anUnreachableSourceIsAReasonThatSaysItsRoutesStay() {
        SourceStatus lxd = new SourceStatus("lxd", SourceStatus.State.UNREACHABLE, "connection refused", 3, Optional.of(NOW), true);
        assertThat(status(Outcome.CONVERGED, 0, shim(ParentState.UP, true, true, 3, 0), STATIC, lxd).notReadyReasons())
                .containsExactly("source lxd unreachable: connection refused (its last good endpoints stay routed)");
    }

    @Test
    void anExpectedSourceThatIsAbsentIsAReasonAndOneNeverOnThisHostIsNot() {
        SourceStatus expected = new SourceStatus("lxd", SourceStatus.State.ABSENT, "no socket at /var/lib/lxd/unix.socket",
                2, Optional.empty(), true);
        SourceStatus never = new SourceStatus("incus", SourceStatus.State.ABSENT, "no socket", 0, Optional.empty(), false);
        assertThat(status(Outcome.CONVERGED, 0, shim(ParentState.UP, true, true, 2, 0), expected, never).notReadyReasons())
                .containsExactly("source lxd absent, expected back: no socket at /var/lib/lxd/unix.socket"
                        + " (its last good endpoints stay routed)");
    }

    @Test
    void pendingChangesAndFailuresAreReasons() {
        assertThat(status(Outcome.PENDING, 4, shim(ParentState.UP, false, false, 0, 0), STATIC).notReadyReasons())
                .containsExactly("4 changes pending: x", "shim mynet: missing");
        assertThat(status(Outcome.FAILED, 1, shim(ParentState.UP, true, true, 1, 0), STATIC).notReadyReasons())
                .containsExactly("last reconcile failed: x");
    }

    @Test
    void idleIsReadyAndNotRunIsNot() {
        assertThat(ReconcileStatus.idle().ready()).isTrue();
        ReconcileStatus notRun = ReconcileStatus.notRun(List.of(new ShimSpec("mynet", "eth0", Optional.empty(),
                Optional.empty(), List.of())));
        assertThat(notRun.ready()).isFalse();
        assertThat(notRun.notReadyReasons()).containsExactly("no reconcile has run yet");
    }
}
