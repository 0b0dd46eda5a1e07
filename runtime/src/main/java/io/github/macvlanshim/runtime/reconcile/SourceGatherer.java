package io.github.macvlanshim.runtime.reconcile;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.SourceStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.SourceStatus.State;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.InstanceSource;
import io.github.macvlanshim.runtime.source.InstanceSource.Expectation;
import io.github.macvlanshim.runtime.source.SourceAbsentException;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.SourceMemory;

/**
 * Owns what each source last said. A full snapshot is taken only of a source marked stale (at start-up, on the
 * tick, when the source asks for a resync); an event about one instance replaces that instance's endpoints; a
 * kernel event asks no source anything. What a source last said stands while it is absent or failing, also
 * across restarts ({@link SourceMemory}), and nothing is pruned while an expected source has never been heard
 * from.
 * <p>
 * Thread-safe: sources report from their own threads while the reconciler gathers. Snapshots are taken without
 * holding the lock, so a slow daemon never blocks another source's events.
 */
public final class SourceGatherer {

    private static final Logger LOG = Logger.getLogger(SourceGatherer.class);

    /** The endpoints that would be wanted now, and whether routes nobody wants may be removed. */
    public record Gathered(List<Endpoint> endpoints, boolean pruneAllowed, List<SourceStatus> statuses) {
    }

    private final List<InstanceSource> sources;
    private final SourceMemory memory;
    private final Clock clock;
    private final Map<String, Tracked> tracked = new LinkedHashMap<>();

    /** One source's state. Guarded by the gatherer's lock. */
    private static final class Tracked {
        final InstanceSource source;
        /** By "project/instance"; null while nothing is known of the source (never answered, nothing remembered). */
        Map<String, List<Endpoint>> endpoints;
        boolean remembered;
        boolean stale = true;
        /** Its daemon was seen in this run (answered, or its socket exists): it is expected from now on. */
        boolean seen;
        /** Instance changes reported while a snapshot is under way: they are newer than it, so applied after it. */
        List<Map.Entry<String, List<Endpoint>>> sinceSnapshot;
        SourceStatus status;

        Tracked(InstanceSource source) {
            this.source = source;
        }

        boolean expected() {
            return source.expectation() == Expectation.CONFIGURED || seen || remembered;
        }
    }

    public SourceGatherer(List<InstanceSource> sources, SourceMemory memory, Clock clock) {
        this.sources = List.copyOf(sources);
        this.memory = memory;
        this.clock = clock;
        Map<String, List<Endpoint>> saved = memory.load();
        for (InstanceSource source : this.sources) {
            Tracked state = new Tracked(source);
            List<Endpoint> remembered = saved.get(source.name());
            if (remembered != null) {
                state.endpoints = byInstance(remembered);
                state.remembered = true;
                LOG.infof("source %s: %d endpoints remembered from %s, kept until it answers", source.name(),
                        remembered.size(), memory.file().orElseThrow());
            }
            state.status = new SourceStatus(source.name(), State.NOT_ASKED, "", remembered == null ? 0
                    : remembered.size(), Optional.empty(), state.expected());
            tracked.put(source.name(), state);
        }
    }

    /** The next gather takes a full snapshot of every source (start-up, the tick, a direct request). */
    public synchronized void markAllStale() {
        tracked.values().forEach(state -> state.stale = true);
    }

    /** The next gather takes a full snapshot of this source (it reconnected, or missed something). */
    public synchronized void markStale(String source) {
        Tracked state = tracked.get(source);
        if (state != null) {
            state.stale = true;
        }
    }

    /** Whether the next {@link #gather} takes a snapshot (asks a daemon) rather than only returning what is known. */
    public synchronized boolean snapshotDue() {
        return tracked.values().stream().anyMatch(state -> state.stale);
    }

    /** One instance's endpoints are now {@code endpoints}: no snapshot needed for it. */
    public synchronized void instanceChanged(String source, String project, String instance, List<Endpoint> endpoints) {
        Tracked state = tracked.get(source);
        if (state == null) {
            return;
        }
        String key = project + "/" + instance;
        List<Endpoint> copy = List.copyOf(endpoints);
        if (state.sinceSnapshot != null) {
            state.sinceSnapshot.add(Map.entry(key, copy));
        }
        if (state.endpoints == null) {
            // Nothing else is known of this source yet: one instance does not make a snapshot.
            state.stale = true;
            return;
        }
        put(state.endpoints, key, copy);
    }

    /** Snapshots the stale sources, then returns what every source says now. */
    public Gathered gather() {
        List<Tracked> due;
        synchronized (this) {
            due = tracked.values().stream().filter(state -> state.stale).toList();
            due.forEach(state -> {
                state.stale = false;
                state.sinceSnapshot = new ArrayList<>();
            });
        }
        for (Tracked state : due) {
            snapshot(state);
        }
        synchronized (this) {
            List<Endpoint> endpoints = new ArrayList<>();
            boolean pruneAllowed = true;
            Map<String, List<Endpoint>> toRemember = new LinkedHashMap<>();
            for (Tracked state : tracked.values()) {
                if (state.endpoints == null) {
                    pruneAllowed &= !state.expected();
                    continue;
                }
                List<Endpoint> all = state.endpoints.values().stream().flatMap(List::stream).toList();
                endpoints.addAll(all);
                toRemember.put(state.source.name(), all);
            }
            memory.save(toRemember);
            // Instance events change a source's endpoints between snapshots: the count shown is what is held now.
            List<SourceStatus> statuses = tracked.values().stream()
                    .map(state -> state.status.withEndpoints(held(state)).withUnroutable(state.source.unroutable())
                            .withDaemon(state.source.daemon()))
                    .toList();
            return new Gathered(endpoints, pruneAllowed, statuses);
        }
    }

    private void snapshot(Tracked state) {
        InstanceSource source = state.source;
        Instant now = clock.instant();
        List<Endpoint> snapshot = null;
        SourceException failure = null;
        try {
            snapshot = List.copyOf(source.snapshot());
        } catch (SourceException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new SourceException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
        synchronized (this) {
            List<Map.Entry<String, List<Endpoint>>> newer = state.sinceSnapshot;
            state.sinceSnapshot = null;
            SourceStatus previous = state.status;
            if (failure == null) {
                Map<String, List<Endpoint>> fresh = byInstance(snapshot);
                newer.forEach(change -> put(fresh, change.getKey(), change.getValue()));
                state.endpoints = fresh;
                state.remembered = false;
                state.seen = true;
                int count = fresh.values().stream().mapToInt(List::size).sum();
                if (previous.state() != State.REACHABLE) {
                    LOG.infof("source %s: reachable, %d endpoints", source.name(), count);
                }
                state.status = new SourceStatus(source.name(), State.REACHABLE, "", count, Optional.of(now), true);
                return;
            }
            boolean absent = failure instanceof SourceAbsentException;
            if (!absent) {
                state.seen = true;
            }
            String error = failure.getMessage() == null ? failure.toString() : failure.getMessage();
            State found = absent ? State.ABSENT : State.UNREACHABLE;
            int kept = state.endpoints == null ? 0 : state.endpoints.values().stream().mapToInt(List::size).sum();
            SourceStatus status = new SourceStatus(source.name(), found, error, kept, previous.lastGoodSnapshot(),
                    state.expected());
            if (previous.state() != found || !previous.error().equals(error)) {
                if (status.expected()) {
                    LOG.warnf("source %s: %s; %s", source.name(), status.describe(), state.endpoints == null
                            ? "nothing known of it yet, so no route is removed until it answers"
                            : "keeping its last " + kept + " endpoints until it answers");
                } else {
                    LOG.infof("source %s: %s", source.name(), status.describe());
                }
            }
            state.status = status;
        }
    }

    private static int held(Tracked state) {
        return state.endpoints == null ? 0 : state.endpoints.values().stream().mapToInt(List::size).sum();
    }

    private static Map<String, List<Endpoint>> byInstance(List<Endpoint> endpoints) {
        Map<String, List<Endpoint>> result = new LinkedHashMap<>();
        for (Endpoint endpoint : endpoints) {
            result.computeIfAbsent(endpoint.project() + "/" + endpoint.instance(), key -> new ArrayList<>()).add(endpoint);
        }
        result.replaceAll((key, list) -> List.copyOf(list));
        return result;
    }

    private static void put(Map<String, List<Endpoint>> endpoints, String key, List<Endpoint> list) {
        if (list.isEmpty()) {
            endpoints.remove(key);
        } else {
            endpoints.put(key, list);
        }
    }
}
