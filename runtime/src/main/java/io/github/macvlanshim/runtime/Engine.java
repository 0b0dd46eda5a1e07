package io.github.macvlanshim.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.InvalidConfigException;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.HostNetwork;
import io.github.macvlanshim.runtime.net.HostNetworkException;
import io.github.macvlanshim.runtime.net.InMemoryHostNetwork;
import io.github.macvlanshim.runtime.net.NetworkMonitor;
import io.github.macvlanshim.runtime.net.NetworkNamespace;
import io.github.macvlanshim.runtime.net.NetworkState;
import io.github.macvlanshim.runtime.net.Ownership;
import io.github.macvlanshim.runtime.net.ShimMac;
import io.github.macvlanshim.runtime.reconcile.ReconcileLoop;
import io.github.macvlanshim.runtime.reconcile.ReconcileReport;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.Reconciler;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;
import io.github.macvlanshim.runtime.reconcile.SourceGatherer;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.InstanceSource;
import io.github.macvlanshim.runtime.source.SourceListener;
import io.github.macvlanshim.runtime.source.SourceMemory;

/**
 * The running engine, without CDI: checks the settings against the host, reconciles once, then
 * reconciles again on every relevant kernel event and source event (coalesced), until closed. Closing
 * leaves everything in place or removes what is ours, as {@code on-stop} says. The CDI bean
 * {@link MacvlanShimEngine} adds the scheduler tick; tests drive this class directly.
 */
public final class Engine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Engine.class);
    /**
     * Long enough to gather a burst of kernel events (or source resyncs), short enough to repair well within a second;
     * a source's report about one instance skips it.
     */
    private static final Duration DEBOUNCE = Duration.ofMillis(25);
    private static final Pattern TOKEN_SEPARATORS = Pattern.compile("[\\s@:]+");

    private static final Path MACHINE_ID = Path.of("/etc/machine-id");

    private final EngineSettings settings;
    private final List<InstanceSource> sources;
    private final SourceGatherer gatherer;
    private final Reconciler reconciler;
    private final ReconcileLoop loop;
    private final Optional<OwnershipLock> lock;
    private final boolean onHost;
    private NetworkMonitor monitor;

    private Engine(EngineSettings settings, HostNetwork network, List<InstanceSource> sources,
            Consumer<ReconcileReport> listener, Optional<OwnershipLock> lock, boolean onHost) {
        this.settings = settings;
        this.lock = lock;
        this.onHost = onHost;
        this.sources = List.copyOf(sources);
        // In memory, nothing of the machine is read or written, the state file included.
        SourceMemory memory = settings.stateFile().filter(file -> onHost)
                .map(file -> settings.dryRun() ? SourceMemory.readOnly(file) : SourceMemory.at(file))
                .orElseGet(SourceMemory::none);
        this.gatherer = new SourceGatherer(sources, memory, Clock.systemUTC());
        this.reconciler = new Reconciler(settings, network, gatherer, Clock.systemUTC(), listener);
        // Events reconcile on what the sources last said: a kernel event asks no source anything.
        this.loop = new ReconcileLoop(() -> reconciler.reconcileWithKnown("event"), DEBOUNCE, "macvlan-shim-reconcile");
    }

    /**
     * Watches the kernel and subscribes to the sources, before the first reconcile reads anything: nothing that
     * happens after its reads can go unseen. On failure the caller closes what was started.
     */
    private void watch() {
        // A restarted monitor asks for a reconcile: what changed while no monitor ran would otherwise wait for the tick.
        Set<String> watched = watchedNames(settings);
        if (onHost) {
            monitor = NetworkMonitor.start(settings.netns(), line -> {
                if (mentionsAny(line, watched)) {
                    loop.request();
                }
            }, loop::request);
            // Counted on every line, about any interface (a foreign route to a wanted address names its own device,
            // not a shim), and on every gap in watching.
            reconciler.planOnLastReadWhileUnreported(monitor::changesSeen);
        }
        sources.forEach(source -> source.subscribe(new SourceListener() {
            @Override
            public void resync() {
                gatherer.markStale(source.name());
                loop.request();
            }

            @Override
            public void instanceChanged(String project, String instance, List<Endpoint> endpoints) {
                gatherer.instanceChanged(source.name(), project, instance, endpoints);
                // One instance's endpoints are the whole change: no debounce between an address and its route.
                loop.requestNow();
            }
        }));
    }

    /**
     * After the first reconcile: the events that came during it run now, after it (never beside its start-up checks),
     * and the start is logged.
     */
    private void started(ReconcileStatus first) {
        loop.start();
        LOG.infof("macvlan-shim started%s: %d shims, protocol %d, interval %s, on-stop %s%s; first reconcile: %s",
                where(settings), settings.shims().size(), settings.protocol(), settings.interval(),
                settings.onStop().name().toLowerCase(), settings.dryRun() ? ", dry-run (no lock taken)" : "",
                first.message());
    }

    /**
     * Starts the engine, or throws, changing nothing: {@link InvalidConfigException} when the host contradicts
     * the settings (an interface with a shim's name that is not ours), {@link IllegalStateException} when
     * another engine holds the {@link OwnershipLock} of this namespace and protocol. A parent that does not
     * exist yet is no failure: the shim waits for it (a WARN line, and "parent missing" in readiness). A dry
     * run takes no lock, so it can preview beside a running engine.
     */
    public static Engine start(EngineSettings settings, HostNetwork network, List<InstanceSource> sources,
            Consumer<ReconcileReport> listener) {
        return start(settings, network, sources, listener, Leftovers.KEEP);
    }

    /** What becomes of shims an earlier run left that are configured no more (see {@code Planner.leftovers}). */
    public enum Leftovers {
        /** Named in a WARN line and left in place: production, where the host is the operator's. */
        KEEP,
        /** Removed before the first reconcile: dev mode, whose every shim is the developer's for the session. */
        REMOVE
    }

    /** As {@link #start(EngineSettings, HostNetwork, List, Consumer)}, with {@code leftovers} for earlier runs' shims. */
    public static Engine start(EngineSettings settings, HostNetwork network, List<InstanceSource> sources,
            Consumer<ReconcileReport> listener, Leftovers leftovers) {
        NetworkNamespace namespace = NetworkNamespace.of(settings.netns());
        Ownership ownership = new Ownership(settings.protocol());
        // Before anything is read or changed: a second engine on these routes must not touch them at all.
        Optional<OwnershipLock> lock = settings.dryRun() ? Optional.empty()
                : Optional.of(OwnershipLock.acquire(settings.lockDirectory(), namespace, ownership));
        Engine engine = null;
        try {
            EngineSettings withMacs = settings.withShims(withStableMacs(settings.shims(), namespace, machineId()));
            engine = new Engine(withMacs, network, sources, listener, lock, true);
            Reconciler reconciler = engine.reconciler;
            // The checks run on the first reconcile's own read, made while the sources answer; nothing is changed
            // before they pass. Leftovers removed (dev mode) changed the host: it is read again before planning.
            engine.watch();
            engine.started(reconciler.startUp(host -> {
                checkAgainstHost(withMacs, host, ownership);
                try {
                    return reconciler.leftoverShims(host, leftovers == Leftovers.REMOVE);
                } catch (HostNetworkException e) {
                    LOG.warnf("could not look for shims left by an earlier run: %s", e.getMessage());
                    return true;
                }
            }));
            return engine;
        } catch (HostNetworkException e) {
            engine.closeStarted();
            lock.ifPresent(OwnershipLock::close);
            throw new IllegalStateException("macvlan-shim cannot read the host network" + where(settings) + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            if (engine != null) {
                engine.closeStarted();
            }
            lock.ifPresent(OwnershipLock::close);
            throw e;
        }
    }

    /**
     * Starts the engine on a network that is no host's: no lock is taken and no kernel is watched, since there is
     * nothing another engine could share and nothing else changes it. Throws {@link InvalidConfigException} as
     * {@link #start} does when the network contradicts the settings.
     */
    public static Engine startInMemory(EngineSettings settings, InMemoryHostNetwork network,
            List<InstanceSource> sources, Consumer<ReconcileReport> listener) {
        checkAgainstHost(settings, network.read(), new Ownership(settings.protocol()));
        Engine engine = new Engine(settings, network, sources, listener, Optional.empty(), false);
        try {
            engine.watch();
            engine.started(engine.reconciler.reconcile("start-up"));
            return engine;
        } catch (RuntimeException | Error e) {
            engine.closeStarted();
            throw e;
        }
    }

    public ReconcileStatus status() {
        return reconciler.status();
    }

    /** Reconciles now with a full snapshot of every source, after any reconcile in progress, and returns the outcome. */
    public ReconcileStatus reconcile(String trigger) {
        return reconciler.reconcile(trigger);
    }

    /** Asks for a reconcile soon, coalesced with other requests. */
    public void requestReconcile() {
        loop.request();
    }

    /** How many event-driven reconciles have run (not counting start-up or direct calls). */
    public long eventReconciles() {
        return loop.runs();
    }

    /** How many reconciles kernel and source events asked for: {@link #eventReconciles()} ran for them. */
    public long eventRequests() {
        return loop.requests();
    }

    /** False once the event-driven reconcile loop died. */
    public boolean loopAlive() {
        return loop.alive();
    }

    /**
     * Stops watching, waits for a reconcile in progress (a scheduler tick) and lets no other begin, applies
     * {@code on-stop}, then releases the lock: the next engine may start.
     */
    @Override
    public void close() {
        close(settings.onStop());
    }

    /** As {@link #close()}, with {@code onStop} in place of the configured on-stop (dev mode removes). */
    public void close(OnStop onStop) {
        try {
            closeStarted();
            if (onStop == OnStop.REMOVE) {
                try {
                    reconciler.removeOwned();
                } catch (HostNetworkException e) {
                    LOG.errorf("on-stop=remove: could not remove everything: %s", e.getMessage());
                }
            }
        } finally {
            lock.ifPresent(OwnershipLock::close);
        }
    }

    /** Ends what {@link #watch} and {@link #started} started, whatever part of it ran. */
    private void closeStarted() {
        if (monitor != null) {
            monitor.close();
        }
        sources.forEach(InstanceSource::close);
        loop.close();
        reconciler.stop();
    }

    private static void checkAgainstHost(EngineSettings settings, NetworkState state, Ownership ownership) {
        for (ShimSpec shim : settings.shims()) {
            state.link(shim.name())
                    .filter(link -> !ownership.isOurShimOn(link, shim.parent())
                            && !ownership.isAdoptable(link, shim.parent(), state))
                    .ifPresent(link -> {
                        throw InvalidConfigException.of("quarkus.macvlan-shim.shims." + shim.name(), "",
                                "interface " + shim.name() + " already exists as " + link.describe()
                                        + ", not a macvlan in bridge mode on " + shim.parent() + " marked as ours (alias "
                                        + ownership.marker() + ") nor one with routes of protocol " + ownership.protocol()
                                        + " through it; it is not ours and is left alone: remove it or choose another"
                                        + " shim name (if an older macvlan-shim made it: ip link set dev " + shim.name()
                                        + " alias " + ownership.marker() + ")");
                    });
        }
    }

    /** Each shim without a configured MAC gets the one derived for it; none when the machine id is unknown. */
    static List<ShimSpec> withStableMacs(List<ShimSpec> shims, NetworkNamespace namespace, Optional<String> machineId) {
        return shims.stream()
                .map(shim -> shim.mac().isPresent() || machineId.isEmpty() ? shim
                        : shim.withMac(Optional.of(ShimMac.derive(machineId.get(), namespace.stableKey(), shim.name()))))
                .toList();
    }

    private static Optional<String> machineId() {
        try {
            String id = Files.readString(MACHINE_ID).strip();
            if (id.matches("[0-9a-f]{32}")) {
                return Optional.of(id);
            }
            LOG.warnf("%s holds no machine id; shims get random MACs (set quarkus.macvlan-shim.shims.NAME.mac to keep"
                    + " one across re-creation)", MACHINE_ID);
        } catch (IOException e) {
            LOG.warnf("cannot read %s (%s); shims get random MACs (set quarkus.macvlan-shim.shims.NAME.mac to keep one"
                    + " across re-creation)", MACHINE_ID, e.getMessage());
        }
        return Optional.empty();
    }

    private static Set<String> watchedNames(EngineSettings settings) {
        Set<String> names = new HashSet<>();
        settings.shims().forEach(shim -> {
            names.add(shim.name());
            names.add(shim.parent());
        });
        return names;
    }

    /** Whether a monitor line is about a shim or a parent: the rest of the host is none of our business. */
    static boolean mentionsAny(String line, Set<String> names) {
        for (String token : TOKEN_SEPARATORS.split(line)) {
            if (names.contains(token)) {
                return true;
            }
        }
        return false;
    }

    private static String where(EngineSettings settings) {
        return settings.netns().map(ns -> " in network namespace " + ns).orElse("");
    }
}
