package io.github.macvlanshim.runtime.reconcile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.github.macvlanshim.runtime.source.UnroutableNic;

/**
 * What the last reconcile found and did: read by health checks, metrics, the status document and embedding
 * applications. Immutable; the reconciler publishes a new one after each run.
 *
 * @param lastCompleted when the last reconcile ended, whatever its outcome
 * @param trigger what started the last reconcile ("start-up", "tick", "event", "request"), empty before the first
 * @param pendingChanges changes still to make (dry-run, or left after a failure)
 * @param failures failed reconciles in a row, 0 once one converges
 * @param routes the owned routes the kernel showed after the reconcile, with the instances each serves
 * @param refused the changes the kernel refused at the last reconcile, with its reasons; retried at the next
 */
public record ReconcileStatus(Optional<Instant> lastCompleted, String trigger, Outcome outcome, String message,
        int pendingChanges, int failures, List<ShimStatus> shims, List<RouteStatus> routes, List<SourceStatus> sources,
        List<Conflict> conflicts, List<RefusedChange> refused) {

    public ReconcileStatus {
        shims = List.copyOf(shims);
        routes = List.copyOf(routes);
        sources = List.copyOf(sources);
        conflicts = List.copyOf(conflicts);
        refused = List.copyOf(refused);
    }

    /** A status with no refused change. */
    public ReconcileStatus(Optional<Instant> lastCompleted, String trigger, Outcome outcome, String message,
            int pendingChanges, int failures, List<ShimStatus> shims, List<RouteStatus> routes, List<SourceStatus> sources,
            List<Conflict> conflicts) {
        this(lastCompleted, trigger, outcome, message, pendingChanges, failures, shims, routes, sources, conflicts,
                List.of());
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

    /** How the kernel showed a shim's parent. */
    public enum ParentState {
        /** Up, with carrier. */
        UP,
        /** Set up, but without carrier (cable, peer or lower device down): routes through the shim are linkdown. */
        NO_CARRIER,
        /** Set down by someone: nothing goes through it. */
        DOWN,
        /** No interface of that name (yet). */
        MISSING,
        /** Not read: no reconcile has shown the kernel yet. */
        UNKNOWN
    }

    /**
     * One shim as the kernel showed it after the reconcile.
     *
     * @param addresses the shim's global addresses with their prefix lengths ("198.51.100.72/32")
     * @param mac the shim's MAC, empty when it is missing
     * @param linkdownRoutes owned routes through the shim that the kernel flags linkdown
     */
    public record ShimStatus(String name, String parent, ParentState parentState, boolean present, boolean up,
            boolean addressed, List<String> addresses, String mac, int routes, int linkdownRoutes, int conflicts) {

        public ShimStatus {
            addresses = List.copyOf(addresses);
        }

        /** A shim no reconcile has shown yet. */
        public static ShimStatus unknown(String name, String parent) {
            return new ShimStatus(name, parent, ParentState.UNKNOWN, false, false, false, List.of(), "", 0, 0, 0);
        }

        public boolean healthy() {
            return present && up && addressed;
        }

        /** Whether the shim's parent exists (or was not read yet); without it the shim waits for it. */
        public boolean parentPresent() {
            return parentState != ParentState.MISSING;
        }

        /** "ok", "missing", "down", "address missing", or "parent missing" while the shim waits for its parent. */
        public String state() {
            if (!parentPresent()) {
                return "parent missing";
            }
            if (!present) {
                return "missing";
            }
            if (!up) {
                return "down";
            }
            return addressed ? "ok" : "address missing";
        }
    }

    /** An owned route the kernel showed, and who wants it: none when it is left over and not yet pruned. */
    public record RouteStatus(String destination, String shim, boolean linkdown, List<Served> servedBy) {

        public RouteStatus {
            servedBy = List.copyOf(servedBy);
        }
    }

    /** One address of one instance's NIC (or a static prefix) that a route serves. */
    public record Served(String source, String project, String instance, String nic) {
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
            boolean expected, List<UnroutableNic> unroutable, String daemon) {

        public SourceStatus {
            unroutable = List.copyOf(unroutable);
        }

        public SourceStatus(String name, State state, String error, int endpoints, Optional<Instant> lastGoodSnapshot,
                boolean expected) {
            this(name, state, error, endpoints, lastGoodSnapshot, expected, List.of(), "");
        }

        /** The same with {@code held} as the number of endpoints the engine holds for it. */
        public SourceStatus withEndpoints(int held) {
            return new SourceStatus(name, state, error, held, lastGoodSnapshot, expected, unroutable, daemon);
        }

        /** The same with {@code nics} as the NICs left out. */
        public SourceStatus withUnroutable(List<UnroutableNic> nics) {
            return new SourceStatus(name, state, error, endpoints, lastGoodSnapshot, expected, nics, daemon);
        }

        /** The same with {@code answered} as the daemon that answered last (see InstanceSource.daemon()). */
        public SourceStatus withDaemon(String answered) {
            return new SourceStatus(name, state, error, endpoints, lastGoodSnapshot, expected, unroutable, answered);
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
        return new ReconcileStatus(Optional.empty(), "", Outcome.NOT_RUN, "no reconcile has run yet", 0, 0,
                shims.stream().map(s -> ShimStatus.unknown(s.name(), s.parent())).toList(), List.of(), List.of(),
                List.of());
    }

    public static ReconcileStatus idle() {
        return new ReconcileStatus(Optional.empty(), "", Outcome.IDLE,
                "idle: no shim is configured (set quarkus.macvlan-shim.shims.NAME.parent)", 0, 0, List.of(), List.of(),
                List.of(), List.of());
    }

    /** Ready: idle, or nothing stands in the way ({@link #notReadyReasons()} is empty). */
    public boolean ready() {
        return outcome == Outcome.IDLE || notReadyReasons().isEmpty();
    }

    /**
     * Why the host is not (yet) as it should be, one sentence each, in the order an operator would fix them:
     * the reconcile itself, then each shim's parent, the shim, its routes, then the sources. Empty when ready.
     * Conflicts are not among them: they are left alone by design and reported on their own.
     */
    public List<String> notReadyReasons() {
        List<String> reasons = new ArrayList<>();
        switch (outcome) {
            case IDLE, CONVERGED -> {
            }
            case NOT_RUN -> reasons.add(message);
            case PENDING -> reasons.add(pendingChanges + " changes pending: " + message);
            case FAILED -> reasons.add("last reconcile failed: " + message);
        }
        if (outcome == Outcome.CONVERGED && pendingChanges > 0) {
            reasons.add(pendingChanges + " changes pending");
        }
        for (ShimStatus shim : shims) {
            switch (shim.parentState()) {
                case UP, UNKNOWN -> {
                }
                case NO_CARRIER -> reasons.add("parent " + shim.parent() + " of shim " + shim.name()
                        + " has no carrier (link down): nothing reaches the instances on it");
                case DOWN -> reasons.add("parent " + shim.parent() + " of shim " + shim.name() + " is set down");
                case MISSING -> reasons.add("parent " + shim.parent() + " of shim " + shim.name()
                        + " does not exist; the shim follows when it appears");
            }
            if (shim.parentState() == ParentState.UNKNOWN) {
                continue;
            }
            if (shim.parentState() != ParentState.MISSING && !shim.healthy()) {
                reasons.add("shim " + shim.name() + ": " + shim.state());
            }
            if (shim.linkdownRoutes() > 0) {
                reasons.add(shim.linkdownRoutes() + " of " + shim.routes() + " routes via " + shim.name()
                        + " are linkdown");
            }
        }
        for (RefusedChange change : refused) {
            reasons.add("the kernel refused a change on shim " + change.shim() + ": " + change
                    + " (retried at the next reconcile)");
        }
        for (SourceStatus source : sources) {
            if (!source.healthy()) {
                reasons.add("source " + source.name() + " " + source.describe() + (source.endpoints() > 0
                        ? " (its last good endpoints stay routed)" : " (no route is removed until it answers)"));
            }
        }
        return List.copyOf(reasons);
    }
}
