package io.github.macvlanshim.runtime.reconcile;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.github.macvlanshim.runtime.source.UnroutableNic;

/**
 * What the last reconcile found and did: read by health checks, metrics and embedding applications.
 * Immutable; the reconciler publishes a new one after each run.
 *
 * @param lastCompleted when the last reconcile ended, whatever its outcome
 * @param pendingChanges changes still to make (dry-run, or left after a failure)
 */
public record ReconcileStatus(Optional<Instant> lastCompleted, Outcome outcome, String message, int pendingChanges,
        List<ShimStatus> shims, List<SourceStatus> sources, List<Conflict> conflicts) {

    public ReconcileStatus {
        shims = List.copyOf(shims);
        sources = List.copyOf(sources);
        conflicts = List.copyOf(conflicts);
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

    /** One shim as the kernel showed it after the reconcile. */
    public record ShimStatus(String name, String parent, boolean present, boolean up, boolean addressed, int routes,
            int conflicts) {

        public boolean healthy() {
            return present && up && addressed;
        }
    }

    /**
     * One instance source as the last gather found it.
     *
     * @param error why it is absent or unreachable ("" when it answered)
     * @param endpoints the endpoints the engine holds for it: its last answer, or what was remembered
     * @param lastGoodSnapshot when it last answered a full snapshot in this run
     * @param expected whether the engine waits for it: configured, or seen (socket, answer, or remembered)
     * @param unroutable NICs of its running instances that sit on a macvlan no shim can reach, not routed
     */
    public record SourceStatus(String name, State state, String error, int endpoints, Optional<Instant> lastGoodSnapshot,
            boolean expected, List<UnroutableNic> unroutable) {

        public SourceStatus {
            unroutable = List.copyOf(unroutable);
        }

        public SourceStatus(String name, State state, String error, int endpoints, Optional<Instant> lastGoodSnapshot,
                boolean expected) {
            this(name, state, error, endpoints, lastGoodSnapshot, expected, List.of());
        }

        /** The same with {@code nics} as the NICs left out. */
        public SourceStatus withUnroutable(List<UnroutableNic> nics) {
            return new SourceStatus(name, state, error, endpoints, lastGoodSnapshot, expected, nics);
        }

        public enum State {
            /** Not asked yet (before the first reconcile). */
            NOT_ASKED,
            /** Answered its last snapshot. */
            REACHABLE,
            /** Its daemon is there (or configured) but did not answer. */
            UNREACHABLE,
            /** No daemon: no API socket where it is looked for. */
            ABSENT
        }

        public boolean reachable() {
            return state == State.REACHABLE;
        }

        /** Nothing to wait for: it answered, or it is an auto-detected source this host never had. */
        public boolean healthy() {
            return reachable() || state == State.ABSENT && !expected;
        }

        /** The state in words, for health data and logs: "reachable", "absent (expected): no socket at ...". */
        public String describe() {
            return switch (state) {
                case NOT_ASKED -> "not asked yet";
                case REACHABLE -> "reachable";
                case UNREACHABLE -> "unreachable: " + error;
                case ABSENT -> expected ? "absent, expected back: " + error : "not on this host: " + error
                        + "; looking for it";
            };
        }
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

    /** Ready: idle, or every shim present, up and addressed, every expected source reachable, and the last reconcile converged. */
    public boolean ready() {
        if (outcome == Outcome.IDLE) {
            return true;
        }
        return outcome == Outcome.CONVERGED && shims.stream().allMatch(ShimStatus::healthy)
                && sources.stream().allMatch(SourceStatus::healthy);
    }
}
