package io.github.macvlanshim.runtime;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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
import io.github.macvlanshim.runtime.net.NetworkState;
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
    /** Long enough to gather a burst of kernel or source events, short enough to repair well within a second. */
    private static final Duration DEBOUNCE = Duration.ofMillis(25);
    private static final Pattern TOKEN_SEPARATORS = Pattern.compile("[\\s@:]+");

    private final EngineSettings settings;
    private final List<InstanceSource> sources;
    private final SourceGatherer gatherer;
    private final Reconciler reconciler;
    private final ReconcileLoop loop;
    private final Optional<NetworkMonitor> monitor;
    private final List<ShimLock> locks;

    private Engine(EngineSettings settings, HostNetwork network, List<InstanceSource> sources,
            Consumer<ReconcileReport> listener, List<ShimLock> locks, boolean onHost) {
        this.settings = settings;
        this.locks = locks;
        this.sources = List.copyOf(sources);
        // In memory, nothing of the machine is read or written, the state file included.
        SourceMemory memory = settings.stateFile().filter(file -> onHost)
                .map(file -> settings.dryRun() ? SourceMemory.readOnly(file) : SourceMemory.at(file))
                .orElseGet(SourceMemory::none);
        this.gatherer = new SourceGatherer(sources, memory, Clock.systemUTC());
        this.reconciler = new Reconciler(settings, network, gatherer, Clock.systemUTC(), listener);
        // Events reconcile on what the sources last said: a kernel event asks no source anything.
        this.loop = new ReconcileLoop(() -> reconciler.reconcileWithKnown("event"), DEBOUNCE, "macvlan-shim-reconcile");
        // Watch before the first reconcile, so that nothing that happens after it can go unseen.
        Set<String> watched = watchedNames(settings);
        this.monitor = onHost ? Optional.of(NetworkMonitor.start(settings.netns(), line -> {
            if (mentionsAny(line, watched)) {
                loop.request();
            }
        })) : Optional.empty();
        this.sources.forEach(source -> source.subscribe(new SourceListener() {
            @Override
            public void resync() {
                gatherer.markStale(source.name());
                loop.request();
            }

            @Override
            public void instanceChanged(String project, String instance, List<Endpoint> endpoints) {
                gatherer.instanceChanged(source.name(), project, instance, endpoints);
                loop.request();
            }
        }));
        ReconcileStatus first = reconciler.reconcile("start-up");
        LOG.infof("macvlan-shim started%s: %d shims, protocol %d, interval %s, on-stop %s%s; first reconcile: %s",
                where(settings), settings.shims().size(), settings.protocol(), settings.interval(),
                settings.onStop().name().toLowerCase(), settings.dryRun() ? ", dry-run" : "", first.message());
    }

    /**
     * Starts the engine, or throws, changing nothing: {@link InvalidConfigException} when the host contradicts
     * the settings (a parent that does not exist, an interface with a shim's name that is not ours),
     * {@link IllegalStateException} when another engine holds a shim's {@link ShimLock}.
     */
    public static Engine start(EngineSettings settings, HostNetwork network, List<InstanceSource> sources,
            Consumer<ReconcileReport> listener) {
        // Before anything is read or changed: a second engine on a shim must not touch it at all.
        List<ShimLock> locks = new ArrayList<>();
        try {
            for (ShimSpec shim : settings.shims()) {
                locks.add(ShimLock.acquire(settings.netns(), shim.name()));
            }
            NetworkState state;
            try {
                state = network.read();
            } catch (HostNetworkException e) {
                throw new IllegalStateException("macvlan-shim cannot read the host network" + where(settings) + ": "
                        + e.getMessage(), e);
            }
            checkAgainstHost(settings, state);
            return new Engine(settings, network, sources, listener, List.copyOf(locks), true);
        } catch (RuntimeException e) {
            locks.forEach(ShimLock::close);
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
        checkAgainstHost(settings, network.read());
        return new Engine(settings, network, sources, listener, List.of(), false);
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

    /** Stops watching, applies {@code on-stop}, then releases the shims' locks: the next engine may start. */
    @Override
    public void close() {
        close(settings.onStop());
    }

    /** As {@link #close()}, with {@code onStop} in place of the configured on-stop (dev mode removes). */
    public void close(OnStop onStop) {
        try {
            monitor.ifPresent(NetworkMonitor::close);
            sources.forEach(InstanceSource::close);
            loop.close();
            if (onStop == OnStop.REMOVE) {
                try {
                    reconciler.removeOwned();
                } catch (HostNetworkException e) {
                    LOG.errorf("on-stop=remove: could not remove everything: %s", e.getMessage());
                }
            }
        } finally {
            locks.forEach(ShimLock::close);
        }
    }

    private static void checkAgainstHost(EngineSettings settings, NetworkState state) {
        for (ShimSpec shim : settings.shims()) {
            if (state.link(shim.parent()).isEmpty()) {
                throw InvalidConfigException.of("quarkus.macvlan-shim.shims." + shim.name() + ".parent", shim.parent(),
                        "no interface of that name exists" + where(settings)
                                + "; expected the interface the instances' macvlan NICs sit on");
            }
            state.link(shim.name()).filter(link -> !link.isMacvlanBridgeOn(shim.parent())).ifPresent(link -> {
                throw InvalidConfigException.of("quarkus.macvlan-shim.shims." + shim.name(), "",
                        "interface " + shim.name() + " already exists as " + link.describe()
                                + ", not a macvlan in bridge mode on " + shim.parent()
                                + "; it is not ours and is left alone: remove it or choose another shim name");
            });
        }
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
