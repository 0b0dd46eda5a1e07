package io.github.macvlanshim.runtime.reconcile;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the last reconcile found and did: read by health checks, metrics and embedding applications.
 * Immutable; the reconciler publishes a new one after each run.
 *
 * @param lastCompleted when the last reconcile ended, whatever its outcome
 * @param pendingChanges changes still to make (dry-run, or left after a failure)
 * @param refused the changes the kernel refused at the last reconcile, with its reasons; retried at the next
 */
public record ReconcileStatus(Optional<Instant> lastCompleted, Outcome outcome, String message, int pendingChanges,
        List<ShimStatus> shims, List<SourceStatus> sources, List<Conflict> conflicts, List<RefusedChange> refused) {

    public ReconcileStatus {
        shims = List.copyOf(shims);
        sources = List.copyOf(sources);
        conflicts = List.copyOf(conflicts);
        refused = List.copyOf(refused);
    }

    public ReconcileStatus(Optional<Instant> lastCompleted, Outcome outcome, String message, int pendingChanges,
            List<ShimStatus> shims, List<SourceStatus> sources, List<Conflict> conflicts) {
        this(lastCompleted, outcome, message, pendingChanges, shims, sources, conflicts, List.of());
    }

    /** A change the kernel refused: which shim, what was tried (as the change log says it), and why not. */
    public record RefusedChange(String shim, String change, String reason) {

        @Override
        public String toString() {
            return change + ": refused: " + reason;
        }
    }

    public enum Outcome {
        /** No reconcile has completed yet. */
        NOT_RUN,
        /** No shim is configured: nothing to keep, nothing is touched. */
        IDLE,
        /** The kernel matches the desired state (conflicts aside, which are left alone by design). */
        CONVERGED,
        /** Dry-run: changes were planned and logged, not made. */
        PENDING,
        /** Reading or changing the kernel failed. */
        FAILED
    }

    /**
     * One shim as the kernel showed it after the reconcile.
     *
     * @param parentPresent whether the shim's parent exists; without it the shim waits for it
     */
    public record ShimStatus(String name, String parent, boolean present, boolean up, boolean addressed, int routes,
            int conflicts, boolean parentPresent) {

        public ShimStatus(String name, String parent, boolean present, boolean up, boolean addressed, int routes,
                int conflicts) {
            this(name, parent, present, up, addressed, routes, conflicts, true);
        }

        public boolean healthy() {
            return present && up && addressed;
        }
    }

    /** One instance source: whether its last snapshot succeeded, and how many endpoints its last good one had. */
    public record SourceStatus(String name, boolean reachable, String error, int endpoints,
            Optional<Instant> lastGoodSnapshot) {
    }

    public static ReconcileStatus notRun(List<ShimSpec> shims) {
        return new ReconcileStatus(Optional.empty(), Outcome.NOT_RUN, "no reconcile has run yet", 0,
                shims.stream().map(s -> new ShimStatus(s.name(), s.parent(), false, false, false, 0, 0)).toList(),
                List.of(), List.of());
    }

    public static ReconcileStatus idle() {
        return new ReconcileStatus(Optional.empty(), Outcome.IDLE,
                "idle: no shim is configured (set quarkus.macvlan-shim.shims.NAME.parent)", 0, List.of(), List.of(),
                List.of());
    }

    /** Ready: idle, or every shim present, up and addressed, every source reachable, and the last reconcile converged. */
    public boolean ready() {
        if (outcome == Outcome.IDLE) {
            return true;
        }
        return outcome == Outcome.CONVERGED && shims.stream().allMatch(ShimStatus::healthy)
                && sources.stream().allMatch(SourceStatus::reachable);
    }
}
