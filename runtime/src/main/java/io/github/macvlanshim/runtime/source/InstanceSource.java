package io.github.macvlanshim.runtime.source;

import java.util.List;

/** Something that knows which addresses should be reachable through the shims. */
public interface InstanceSource {

    /** A short name for logs, health data and metrics ("static", "lxd"). */
    String name();

    /** Every endpoint the source knows now; throws when it cannot tell (it never guesses an empty list). */
    List<Endpoint> snapshot() throws SourceException;

    /**
     * Asks the source to call {@code onChange} when what it knows may have changed. Sources that only
     * change with config need not do anything.
     */
    default void subscribe(Runnable onChange) {
    }

    /** Stops whatever {@link #subscribe(Runnable)} started. */
    default void close() {
    }
}
