package io.github.macvlanshim.runtime.source;

import java.util.List;

/**
 * What a source tells the engine between snapshots. The engine keeps each source's endpoints itself, so a
 * source reports only what changed: one instance, or "take a full snapshot".
 */
public interface SourceListener {

    /** Something changed that only a full {@link InstanceSource#snapshot()} can tell (a reconnect, a missed event). */
    void resync();

    /**
     * {@code endpoints} are now all the endpoints of one instance (empty: it has none, being stopped or gone). The
     * engine replaces that instance's endpoints with them and reconciles, without asking the source anything.
     */
    void instanceChanged(String project, String instance, List<Endpoint> endpoints);
}
