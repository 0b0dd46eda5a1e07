package io.github.macvlanshim.runtime.reconcile;

import java.time.Duration;
import java.util.List;

import io.github.macvlanshim.runtime.net.Change;

/**
 * One reconcile, as metrics see it: how long it took, how it ended, what it changed, and which of those
 * changes repaired drift (something that had been in place and was lost).
 */
public record ReconcileReport(Duration duration, ReconcileStatus.Outcome outcome, List<Change> applied,
        List<Repair> repairs, ReconcileStatus status) {

    public ReconcileReport {
        applied = List.copyOf(applied);
        repairs = List.copyOf(repairs);
    }

    /**
     * A repaired piece of a shim: what is "shim", "address", "up", "proxy_ndp" or "route"; subject names which
     * (the route's destination, the address), empty where the shim has one of it.
     */
    public record Repair(String shim, String what, String subject) {
    }
}
