package io.github.macvlanshim.runtime.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.github.macvlanshim.runtime.MacvlanShimEngine;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.net.Change;
import io.github.macvlanshim.runtime.reconcile.ReconcileReport;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.Outcome;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ParentState;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ShimStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The meters, in Prometheus names: macvlan_shim_build_info{version}, macvlan_shim_ready,
 * macvlan_shim_routes{shim}, macvlan_shim_linkdown_routes{shim}, macvlan_shim_parent_up{shim,parent},
 * macvlan_shim_conflicts{shim}, macvlan_shim_source_up{source}, macvlan_shim_source_info{source,daemon} (1, naming
 * the daemon that answered last: Docker or Podman), macvlan_shim_reconcile_seconds{outcome},
 * macvlan_shim_reconcile_failures_total, macvlan_shim_route_changes_total{shim,op},
 * macvlan_shim_repairs_total{shim,what}, macvlan_shim_refused_changes{shim} (refused by the kernel at the last
 * reconcile) and macvlan_shim_refusals_total{shim}. Every one has a description, which Prometheus shows as its HELP (the
 * monitoring kit's test checks them with promtool). A bean only when Micrometer is present and metrics are enabled.
 * <p>
 * Counts are kept here and read by function meters, for two reasons: the first reconcile runs during
 * start-up, possibly before a registry is attached, and must still be counted; and every series exists
 * from the start at zero, so that dashboards and alerts see a 0, not a gap.
 */
@Singleton
public class MacvlanShimMetrics {

    static final List<String> ROUTE_OPS = List.of("add", "replace", "delete");
    static final List<String> REPAIRS = List.of("shim", "address", "up", "proxy_ndp", "route");

    private final MeterRegistry registry;
    /** Everything registered here, removed at shutdown: registries can outlive the application (tests restart it). */
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Map<Outcome, Tally> reconciles = new ConcurrentHashMap<>();
    private final Map<List<String>, AtomicLong> routeChanges = new ConcurrentHashMap<>();
    private final Map<List<String>, AtomicLong> repairs = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private final Map<String, Meter> sourceUp = new ConcurrentHashMap<>();
    /** Per source, the info meter naming its daemon; replaced when another daemon answers. */
    private final Map<String, Meter> sourceInfo = new ConcurrentHashMap<>();
    private final MacvlanShimEngine engine;
    private final Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();

    /** Reconciles of one outcome: how many, and how long in all. */
    private static final class Tally {
        final LongAdder count = new LongAdder();
        final LongAdder totalNanos = new LongAdder();
    }

    @Inject
    public MacvlanShimMetrics(MeterRegistry registry, EngineSettings settings, MacvlanShimEngine engine) {
        this.registry = registry;
        this.engine = engine;
        meters.add(Gauge.builder("macvlan.shim.build.info", () -> 1)
                .description("Always 1; its version label is the macvlan-shim version running")
                .tag("version", BuildVersion.VERSION)
                .register(registry));
        meters.add(Gauge.builder("macvlan.shim.ready", engine, e -> e.status().ready() ? 1 : 0)
                .description("1 when readiness is UP (converged, parents and shims up, sources answering), else 0")
                .register(registry));
        meters.add(FunctionCounter.builder("macvlan.shim.reconcile.failures", failures, AtomicLong::get)
                .description("Reconciles that failed: the kernel could not be read, or refused a change")
                .register(registry));
        for (Outcome outcome : List.of(Outcome.CONVERGED, Outcome.PENDING, Outcome.FAILED)) {
            reconciles(outcome);
        }
        settings.shims().forEach(shim -> {
            meters.add(Gauge.builder("macvlan.shim.routes", engine, e -> shimStatus(e, shim.name()).routes())
                    .description("Owned routes through the shim, as the kernel showed them at the last reconcile")
                    .tag("shim", shim.name())
                    .register(registry));
            meters.add(Gauge.builder("macvlan.shim.linkdown.routes", engine,
                    e -> shimStatus(e, shim.name()).linkdownRoutes())
                    .description("Owned routes through the shim that the kernel flags linkdown: the parent has no carrier")
                    .tag("shim", shim.name())
                    .register(registry));
            meters.add(Gauge.builder("macvlan.shim.parent.up", engine,
                    e -> shimStatus(e, shim.name()).parentState() == ParentState.UP ? 1 : 0)
                    .description("1 when the shim's parent exists, is up and has carrier, else 0")
                    .tags("shim", shim.name(), "parent", shim.parent())
                    .register(registry));
            meters.add(Gauge.builder("macvlan.shim.conflicts", engine, e -> shimStatus(e, shim.name()).conflicts())
                    .description("Foreign routes or interfaces in the shim's way, left alone")
                    .tag("shim", shim.name())
                    .register(registry));
            meters.add(Gauge.builder("macvlan.shim.refused.changes", engine,
                    e -> e.status().refused().stream().filter(r -> r.shim().equals(shim.name())).count())
                    .description("Changes the kernel refused at the last reconcile (retried at the next)")
                    .tag("shim", shim.name())
                    .register(registry));
            refusals(shim.name());
            ROUTE_OPS.forEach(op -> routeChanges(shim.name(), op));
            REPAIRS.forEach(what -> repairs(shim.name(), what));
        });
    }

    @PreDestroy
    void removeMeters() {
        meters.forEach(registry::remove);
        meters.clear();
    }

    void onReconcile(@Observes ReconcileReport report) {
        report.status().sources().forEach(source -> sourceUp.computeIfAbsent(source.name(), name -> {
            Meter meter = Gauge.builder("macvlan.shim.source.up", engine, e -> sourceHealthy(e, name) ? 1 : 0)
                    .description("1 when the instance source answered its last snapshot (or is auto-detected and was"
                            + " never on this host), 0 while it is expected but absent or unreachable")
                    .tag("source", name)
                    .register(registry);
            meters.add(meter);
            return meter;
        }));
        report.status().sources().forEach(source -> {
            if (!source.daemon().isEmpty()) {
                sourceInfo(source.name(), source.daemon());
            }
        });
        if (report.outcome() == Outcome.FAILED) {
            failures.incrementAndGet();
        }
        Tally tally = reconciles(report.outcome());
        tally.count.increment();
        tally.totalNanos.add(report.duration().toNanos());
        for (Change change : report.applied()) {
            if (change instanceof Change.AddRoute add) {
                routeChanges(change.shim(), add.replace() ? "replace" : "add").incrementAndGet();
            } else if (change instanceof Change.DeleteRoute) {
                routeChanges(change.shim(), "delete").incrementAndGet();
            }
        }
        report.repairs().forEach(repair -> repairs(repair.shim(), repair.what()).incrementAndGet());
        report.status().refused().forEach(refused -> refusals(refused.shim()).incrementAndGet());
    }

    /** An info meter (always 1, like build_info) whose {@code daemon} tag says which daemon the source reads. */
    private void sourceInfo(String source, String daemon) {
        sourceInfo.compute(source, (name, before) -> {
            if (before != null && daemon.equals(before.getId().getTag("daemon"))) {
                return before;
            }
            if (before != null) {
                registry.remove(before);
                meters.remove(before);
            }
            Meter meter = Gauge.builder("macvlan.shim.source.info", () -> 1)
                    .description("Always 1: which daemon the instance source last read (Docker or Podman, its version"
                            + " and socket)")
                    .tag("source", name)
                    .tag("daemon", daemon)
                    .register(registry);
            meters.add(meter);
            return meter;
        });
    }

    private AtomicLong refusals(String shim) {
        return refusals.computeIfAbsent(shim, key -> {
            AtomicLong count = new AtomicLong();
            meters.add(FunctionCounter.builder("macvlan.shim.refusals", count, AtomicLong::get)
                    .description("Changes the kernel refused, counted at every reconcile that tried them")
                    .tag("shim", shim)
                    .register(registry));
            return count;
        });
    }

    private Tally reconciles(Outcome outcome) {
        return reconciles.computeIfAbsent(outcome, o -> {
            Tally tally = new Tally();
            meters.add(FunctionTimer.builder("macvlan.shim.reconcile", tally, t -> t.count.sum(),
                    t -> t.totalNanos.sum(), TimeUnit.NANOSECONDS)
                    .description("Reconciles by outcome and their time: gather, read, plan, apply")
                    .tag("outcome", o.name().toLowerCase())
                    .register(registry));
            return tally;
        });
    }

    private AtomicLong routeChanges(String shim, String op) {
        return counter(routeChanges, "macvlan.shim.route.changes", "Owned routes added, replaced or deleted", shim,
                "op", op);
    }

    private AtomicLong repairs(String shim, String what) {
        return counter(repairs, "macvlan.shim.repairs", "Drift repaired: a shim, address, up state, proxy NDP setting"
                + " or route that had been in place and was lost", shim, "what", what);
    }

    private AtomicLong counter(Map<List<String>, AtomicLong> counts, String name, String description, String shim,
            String kind, String value) {
        return counts.computeIfAbsent(List.of(shim, value), key -> {
            AtomicLong count = new AtomicLong();
            meters.add(FunctionCounter.builder(name, count, AtomicLong::get)
                    .description(description)
                    .tags("shim", shim, kind, value)
                    .register(registry));
            return count;
        });
    }

    private static ShimStatus shimStatus(MacvlanShimEngine engine, String shim) {
        return engine.status().shims().stream().filter(s -> s.name().equals(shim)).findFirst()
                .orElse(ShimStatus.unknown(shim, ""));
    }

    private static boolean sourceHealthy(MacvlanShimEngine engine, String source) {
        return engine.status().sources().stream().anyMatch(s -> s.name().equals(source) && s.healthy());
    }
}
