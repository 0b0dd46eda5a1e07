package io.github.macvlanshim.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.InvalidConfigException;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.HostNetwork;
import io.github.macvlanshim.runtime.net.InMemoryHostNetwork;
import io.github.macvlanshim.runtime.net.IpRoute2HostNetwork;
import io.github.macvlanshim.runtime.reconcile.ReconcileReport;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.source.InstanceSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;

/**
 * The engine as a CDI bean: starts it at application start-up (a wrong setting stops start-up), adds the
 * periodic full reconcile as a Quarkus Scheduler job, and closes it at shutdown. Inject it to read
 * {@link #status()} or to ask for a reconcile. Every reconcile fires a {@link ReconcileReport} event.
 * <p>
 * What it works on depends on the launch mode ({@link EngineMode}): in test mode an in-memory host network
 * unless {@code quarkus.macvlan-shim.test.real-host=true}; in dev mode the host, removing what it made whenever
 * the application stops.
 */
@Singleton
public class MacvlanShimEngine {

    private static final Logger LOG = Logger.getLogger(MacvlanShimEngine.class);
    static final String JOB = "macvlan-shim-reconcile";

    private final EngineSettings settings;
    private final Instance<InstanceSource> sourceBeans;
    private final Event<ReconcileReport> reports;
    private final Scheduler scheduler;
    private final EngineMode mode;
    private volatile Engine engine;
    private volatile HostNetwork network;

    @Inject
    public MacvlanShimEngine(EngineSettings settings, @Any Instance<InstanceSource> sourceBeans,
            Event<ReconcileReport> reports, Scheduler scheduler, EngineMode mode) {
        this.settings = settings;
        this.sourceBeans = sourceBeans;
        this.reports = reports;
        this.scheduler = scheduler;
        this.mode = mode;
    }

    void onStart(@Observes StartupEvent event) {
        if (settings.shims().isEmpty()) {
            LOG.warn(ReconcileStatus.idle().message());
            return;
        }
        List<InstanceSource> sources = new ArrayList<>();
        // A source that is off on this host (no LXD socket) is a null bean.
        sourceBeans.forEach(source -> {
            if (source != null) {
                sources.add(source);
            }
        });
        LOG.infof("macvlan-shim works on %s", mode.description());
        engine = start(sources);
        // The interval was validated above; an ISO-8601 duration is what the scheduler parses without guessing.
        scheduler.newJob(JOB)
                .setInterval(settings.interval().toString())
                .setConcurrentExecution(ConcurrentExecution.SKIP)
                .setTask(execution -> engine.reconcile("tick"))
                .schedule();
    }

    /**
     * Starts the engine for the launch mode. Whatever stops start-up is one line for the operator: a wrong value
     * as the {@link InvalidConfigException} it is, anything else (a missing capability, a shim another engine
     * holds, a host network that cannot be read) as its message alone, the stack trace at DEBUG.
     */
    private Engine start(List<InstanceSource> sources) {
        if (!mode.onHost()) {
            InMemoryHostNetwork inMemory = InMemoryHostNetwork.withParentsOf(settings.shims());
            network = inMemory;
            return Engine.startInMemory(settings, inMemory, sources, reports::fire);
        }
        if (!settings.dryRun()) {
            NetAdminCapability.missing().ifPresent(message -> {
                throw new StartupRefusedException(message);
            });
        }
        IpRoute2HostNetwork host = new IpRoute2HostNetwork(settings.netns());
        network = host;
        try {
            // Dev mode removes what it made at every stop; a session that was killed could not, so its next start does.
            return Engine.start(settings, host, sources, reports::fire,
                    mode == EngineMode.DEV ? Engine.Leftovers.REMOVE : Engine.Leftovers.KEEP);
        } catch (InvalidConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.debug("macvlan-shim could not start", e);
            throw new StartupRefusedException(e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        Engine running = engine;
        if (running != null) {
            scheduler.unscheduleJob(JOB);
            running.close(mode == EngineMode.DEV ? OnStop.REMOVE : settings.onStop());
        }
    }

    /** The outcome of the last reconcile. */
    public ReconcileStatus status() {
        Engine running = engine;
        if (settings.shims().isEmpty()) {
            return ReconcileStatus.idle();
        }
        return running == null ? ReconcileStatus.notRun(settings.shims()) : running.status();
    }

    /** Asks for a reconcile soon, coalesced with other requests; does nothing while idle. */
    public void requestReconcile() {
        Engine running = engine;
        if (running != null) {
            running.requestReconcile();
        }
    }

    /** Reconciles now and returns the outcome. */
    public ReconcileStatus reconcileNow() {
        Engine running = engine;
        return running == null ? status() : running.reconcile("request");
    }

    /** False once the event-driven reconcile loop died (it is meant never to); true while idle. */
    public boolean loopAlive() {
        Engine running = engine;
        return running == null || running.loopAlive();
    }

    public EngineSettings settings() {
        return settings;
    }

    /** What the engine works on in this launch mode. */
    public EngineMode mode() {
        return mode;
    }

    /**
     * The host network the engine reads and changes, once started: in test mode (unless
     * {@code quarkus.macvlan-shim.test.real-host=true}) an {@link InMemoryHostNetwork}, whose {@code read()} shows
     * what the engine made, for tests to assert on. Empty while idle or before start-up.
     */
    public Optional<HostNetwork> hostNetwork() {
        return Optional.ofNullable(network);
    }
}
