package io.github.macvlanshim.runtime.source;

import java.util.List;

/**
 * Something that knows which addresses should be reachable through the shims. The engine keeps what each
 * source last said (in memory and on disk): a source that is absent or fails never causes a deletion.
 */
public interface InstanceSource {

    /** How the source came to be: it decides whether the engine waits for it before removing anything. */
    enum Expectation {
        /**
         * Named in the configuration (a socket path), or always there (static routes): it is expected to answer,
         * and nothing is removed until it has.
         */
        CONFIGURED,
        /**
         * Looked for at known places ({@code auto}): expected once it has been seen (its socket exists, it answered
         * in this run, or it is remembered from an earlier one). A host that never had it is not held back by it.
         */
        DETECTED
    }

    /** A short name for logs, health data and metrics ("static", "lxd"). */
    String name();

    /**
     * Every endpoint the source knows now: a full listing. Throws when it cannot tell (it never guesses an empty
     * list): {@link SourceAbsentException} when its daemon is not there at all.
     */
    List<Endpoint> snapshot() throws SourceException;

    /**
     * The NICs of running instances that sit on a macvlan but are not routed, and why, as of the source's last
     * answers: reported, never routed.
     */
    default List<UnroutableNic> unroutable() {
        return List.of();
    }

    /**
     * The daemon that answered last and where, in words ("Podman 4.3.1 (API 1.41) at /run/podman/podman.sock",
     * "LXD 5.0.2 at /var/lib/lxd/unix.socket"), or "" before any answered or for a source without a daemon: two
     * engines speak the Docker API, and an operator reading health or status should not have to guess which.
     */
    default String daemon() {
        return "";
    }

    default Expectation expectation() {
        return Expectation.CONFIGURED;
    }

    /**
     * Asks the source to report changes to {@code listener} from now on, and to keep looking for its daemon while
     * it is absent. Sources that only change with config need not do anything.
     */
    default void subscribe(SourceListener listener) {
    }

    /** Stops whatever {@link #subscribe(SourceListener)} started. */
    default void close() {
    }
}
