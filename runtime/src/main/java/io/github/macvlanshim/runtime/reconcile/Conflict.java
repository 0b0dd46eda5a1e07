package io.github.macvlanshim.runtime.reconcile;

/** Something in the way that macvlan-shim does not own and so leaves alone. */
public record Conflict(String shim, Kind kind, String subject, String detail) {

    public enum Kind {
        /** An interface with the shim's name that is not a macvlan in bridge mode on the shim's parent. */
        FOREIGN_INTERFACE,
        /** The shim's parent interface does not exist. */
        MISSING_PARENT,
        /** A route not carrying our protocol number already goes to a destination we want. */
        FOREIGN_ROUTE
    }

    @Override
    public String toString() {
        return shim + ": " + detail;
    }
}
