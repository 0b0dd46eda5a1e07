package io.github.macvlanshim.runtime;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.github.macvlanshim.runtime.config.EngineSettings;
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
 */
@Singleton
public class MacvlanShimEngine {

    private static final Logger LOG = Logger.getLogger(MacvlanShimEngine.class);
    static final String JOB = "macvlan-shim-reconcile";

    private final EngineSettings settings;
    private final Instance<InstanceSource> sourceBeans;
    private final Event<ReconcileReport> reports;
    private final Scheduler scheduler;
    private volatile Engine engine;

    @Inject
    public MacvlanShimEngine(EngineSettings settings, @Any Instance<InstanceSource> sourceBeans,
            Event<ReconcileReport> reports, Scheduler scheduler) {
        this.settings = settings;
        this.sourceBeans = sourceBeans;
        this.reports = reports;
        this.scheduler = scheduler;
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
        engine = Engine.start(settings, new IpRoute2HostNetwork(settings.netns()), sources, reports::fire);
        // The interval was validated above; an ISO-8601 duration is what the scheduler parses without guessing.
        scheduler.newJob(JOB)
                .setInterval(settings.interval().toString())
                .setConcurrentExecution(ConcurrentExecution.SKIP)
                .setTask(execution -> engine.reconcile("tick"))
                .schedule();
    }

    void onStop(@Observes ShutdownEvent event) {
        Engine running = engine;
        if (running != null) {
            scheduler.unscheduleJob(JOB);
            running.close();
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
}
