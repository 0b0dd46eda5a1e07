package io.github.macvlanshim.runtime.reconcile;

import java.util.List;

import io.github.macvlanshim.runtime.net.Change;

/** The ordered changes that bring the kernel to the desired state, and what stands in the way. */
public record Plan(List<Change> changes, List<Conflict> conflicts) {

    public Plan {
        changes = List.copyOf(changes);
        conflicts = List.copyOf(conflicts);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }
}
