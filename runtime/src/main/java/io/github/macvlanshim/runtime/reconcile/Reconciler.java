package io.github.macvlanshim.runtime.reconcile;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import io.github.macvlanshim.runtime.Futures;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.net.Change;
import io.github.macvlanshim.runtime.net.HostNetwork;
import io.github.macvlanshim.runtime.net.HostNetworkException;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.KernelRoute;
import io.github.macvlanshim.runtime.net.Link;
import io.github.macvlanshim.runtime.net.NetworkState;
import io.github.macvlanshim.runtime.net.Ownership;
import io.github.macvlanshim.runtime.net.Refusal;
import io.github.macvlanshim.runtime.reconcile.ReconcileReport.Repair;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.Outcome;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ParentState;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.RouteStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.RefusedChange;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ShimStatus;
import io.github.macvlanshim.runtime.source.InstanceSource;
import io.github.macvlanshim.runtime.source.SourceMemory;

/**
 * Gathers the desired state from the sources, reads the kernel, plans, applies, and publishes a
 * {@link ReconcileStatus}. One reconcile at a time, whoever calls. Knows nothing of CDI, so tests and
 * other hosts can drive it directly.
 */
public final class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final EngineSettings settings;
    private final HostNetwork network;
    private final SourceGatherer sources;
    private final Ownership ownership;
    private final Planner planner;
    private final Clock clock;
    private final Consumer<ReconcileReport> listener;
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Reads the kernel while sources are snapshotted: the two are independent, and a snapshot mostly waits on a
     * daemon. One thread at most (one reconcile at a time), gone when idle.
     */
    private final ThreadPoolExecutor kernelReads = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), task -> {
                Thread thread = new Thread(task, "macvlan-shim-kernel-read");
                thread.setDaemon(true);
                return thread;
            });

    /** The kernel as last read, with how many changes the monitor had reported when that read began. */
    private record LastRead(NetworkState state, long reportsBefore) {
    }

    /** Null while nothing may be planned on an earlier read: after a change was tried, until it is read back. */
    private volatile LastRead lastRead;
    /** How many kernel changes the monitor has reported so far; null when no monitor runs (then every plan reads). */
    private volatile LongSupplier kernelReports;

    private Set<Conflict> knownConflicts = Set.of();
    private Set<RefusedChange> knownRefusals = Set.of();
    private boolean stopped;
    private Set<IpPrefix> lastInstalledRoutes = Set.of();
    private Set<String> lastHealthyShims = Set.of();
    private final FightWatch fights = new FightWatch();
    private int failures;
    private volatile ReconcileStatus status;

    /** A reconciler whose sources are remembered in memory only (tests, embedding without a state file). */
    public Reconciler(EngineSettings settings, HostNetwork network, List<InstanceSource> sources, Clock clock,
            Consumer<ReconcileReport> listener) {
        this(settings, network, new SourceGatherer(sources, SourceMemory.none(), clock), clock, listener);
    }

    public Reconciler(EngineSettings settings, HostNetwork network, SourceGatherer sources, Clock clock,
            Consumer<ReconcileReport> listener) {
        this.settings = settings;
        this.network = network;
        this.sources = sources;
        this.ownership = new Ownership(settings.protocol());
        this.planner = new Planner(ownership);
        this.clock = clock;
        this.listener = listener;
        this.status = ReconcileStatus.notRun(settings.shims());
    }

    /**
     * Lets a reconcile with no snapshot due (one a kernel or source event asked for) plan on the kernel as last read
     * when {@code reports} (as {@code NetworkMonitor.changesSeen}: a count of what the monitor reported, -1 while it
     * watches nothing) has not moved since that read began: nothing of ours changed since (a change we try forgets the
     * read until it is read back), and nothing the monitor saw. A source event's route then needs one {@code ip} run before it appears, not two. Start-up, the tick and
     * direct calls always read. The monitor reports a change within a few milliseconds; planned on the read before it,
     * a change the kernel now refuses is reported as refused, and the monitor's report reconciles again.
     */
    public void planOnLastReadWhileUnreported(LongSupplier reports) {
        kernelReports = reports;
    }

    public ReconcileStatus status() {
        return status;
    }

    /**
     * Runs one reconcile now with a full snapshot of every source (waiting for one in progress to end first) and
     * returns its status: start-up, the tick, a direct request.
     */
    public ReconcileStatus reconcile(String trigger) {
        sources.markAllStale();
        return reconcileWithKnown(trigger);
    }

    /**
     * Runs one reconcile on what the sources last said, snapshotting only those that asked for it: kernel events
     * and source events cost the sources nothing more. The listener hears of it after the reconciler's lock is
     * released, so a listener that throws, blocks or reconciles itself cannot break or deadlock the reconciler.
     * After {@link #stop()} it changes nothing.
     */
    public ReconcileStatus reconcileWithKnown(String trigger) {
        ReconcileReport report;
        lock.lock();
        try {
            if (stopped) {
                return status;
            }
            report = reconcileLocked(trigger, null);
        } finally {
            lock.unlock();
        }
        return published(report);
    }

    /**
     * What the start-up reconcile does with the host as it first reads it, before anything is planned: throw to
     * refuse the start (nothing has been changed yet), or say whether it changed the host itself (then the host is
     * read again before planning).
     */
    @FunctionalInterface
    public interface StartupCheck {
        boolean changedHost(NetworkState host);
    }

    /**
     * The first reconcile: as {@link #reconcile}, with the host it reads while the sources are snapshotted passed
     * through {@code check} first. The engine's start-up checks cost no read of their own and no wait: they run on the
     * read the first plan needs anyway, which was made while a daemon answered.
     *
     * @throws HostNetworkException when that read fails: the start is refused, since nothing can be checked
     */
    public ReconcileStatus startUp(StartupCheck check) throws HostNetworkException {
        ReconcileReport report;
        lock.lock();
        try {
            sources.markAllStale();
            report = reconcileLocked("start-up", check);
        } catch (UnreadHost e) {
            throw e.failure;
        } finally {
            lock.unlock();
        }
        return published(report);
    }

    /** Hands the report to the listener, outside the lock, and returns its status. */
    private ReconcileStatus published(ReconcileReport report) {
        try {
            listener.accept(report);
        } catch (RuntimeException e) {
            LOG.errorf(e, "a reconcile report listener failed: %s", e.getMessage());
        }
        return report.status();
    }

    /**
     * Waits for a reconcile in progress to end, then makes every later {@link #reconcile} a no-op: what runs
     * after shutdown began (a scheduler tick, a late event) can no longer change the kernel behind the back of
     * on-stop or of the next engine.
     */
    public void stop() {
        lock.lock();
        try {
            stopped = true;
            kernelReads.shutdown();
        } finally {
            lock.unlock();
        }
    }

    /** Deletes every owned route and every shim that is ours (on-stop=remove). */
    public void removeOwned() throws HostNetworkException {
        lock.lock();
        try {
            remove(planner.removal(settings.shims(), network.read()), "on-stop=remove", "");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Shims an earlier run left that no shim is configured as any more ({@link Planner#leftovers}): removed when
     * {@code remove} (dev mode, where a killed session leaves them), else named in one WARN line each and left in
     * place (an operator's host: what to do with it is theirs to decide). {@code host} is the host as the first
     * reconcile read it ({@link StartupCheck}). Returns whether the host was changed: then it must be read again.
     */
    public boolean leftoverShims(NetworkState host, boolean remove) throws HostNetworkException {
        lock.lock();
        try {
            Plan leftovers = planner.leftovers(settings.shims(), host);
            if (remove) {
                remove(leftovers, "removing a shim left by an earlier run",
                        " (left by an earlier run, not configured any more)");
                return !leftovers.isEmpty() && !settings.dryRun();
            }
            for (Change change : leftovers.changes()) {
                LOG.warnf("shim %s carries this engine's marker (%s) but is not configured any more: left in place;"
                        + " its routes are pruned once every source has answered; ip link del %1$s removes it",
                        change.shim(), ownership.marker());
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies a removal plan (or says what it would do in a dry run), logging each change made (with {@code note})
     * or refused (after {@code doing}).
     */
    private void remove(Plan removal, String doing, String note) throws HostNetworkException {
        if (removal.isEmpty()) {
            return;
        }
        if (settings.dryRun()) {
            removal.changes().forEach(change -> LOG.infof("dry-run, not done: %s", describe(change)));
            return;
        }
        lastRead = null;
        List<Refusal> refused = network.apply(removal.changes(), settings.protocol());
        Set<Change> failed = new HashSet<>();
        for (Refusal refusal : refused) {
            failed.add(refusal.change());
            LOG.errorf("%s: %s: refused: %s", doing, describe(refusal.change()), refusal.reason());
        }
        removal.changes().stream().filter(change -> !failed.contains(change))
                .forEach(change -> LOG.infof("%s%s", describe(change), note));
    }

    private ReconcileReport reconcileLocked(String trigger, StartupCheck check) {
        long started = System.nanoTime();
        Set<Conflict> previousConflicts = knownConflicts;
        // A snapshot asks a daemon: the kernel is read meanwhile. Without one the gather is instant: read here.
        Future<NetworkState> before = sources.snapshotDue() ? kernelReads.submit(this::read) : null;
        SourceGatherer.Gathered gathered = sources.gather();
        DesiredState desired = DesiredStateBuilder.build(settings.shims(), gathered.endpoints(), gathered.pruneAllowed());

        Attempt attempt;
        try {
            attempt = attempt(desired, host(before, check), trigger);
        } catch (HostNetworkException e) {
            attempt = new Attempt(Outcome.FAILED, "reading the host network failed: " + e.getMessage(), 0, List.of(),
                    Optional.empty(), List.of());
            LOG.errorf("reconcile (%s): %s", trigger, attempt.message());
        }

        List<Repair> repairs = repairs(attempt.applied());
        fights.observe(repairs, newConflicts(previousConflicts), lastInstalledRoutes, attempt.after(),
                settings.protocol(), clock.instant()).forEach(warning -> LOG.warnf("%s", warning));
        List<ShimStatus> shims = attempt.after().map(state -> shimStatuses(state, conflictsByShim()))
                .orElseGet(() -> ReconcileStatus.notRun(settings.shims()).shims());
        List<RouteStatus> routes = attempt.after()
                .map(state -> RouteStatuses.of(state, settings.protocol(), gathered.endpoints(), settings.shims()))
                .orElse(status.routes());
        failures = attempt.outcome() == Outcome.FAILED ? failures + 1 : 0;
        if (attempt.outcome() == Outcome.CONVERGED) {
            lastInstalledRoutes = installed(desired, attempt.after().orElseThrow());
            lastHealthyShims = shims.stream().filter(ShimStatus::healthy).map(ShimStatus::name).collect(toSet());
        } else if (attempt.outcome() == Outcome.FAILED) {
            lastHealthyShims = Set.of();
        }
        status = new ReconcileStatus(Optional.of(clock.instant()), trigger, attempt.outcome(), attempt.message(),
                attempt.pending(), failures, shims, routes, gathered.statuses(), List.copyOf(knownConflicts),
                attempt.refused());
        return new ReconcileReport(Duration.ofNanos(System.nanoTime() - started), attempt.outcome(),
                attempt.applied(), repairs, status);
    }

    /**
     * The host this reconcile plans on: as read beside the snapshot ({@code before}) or now. At start-up it goes through
     * {@code check} first, and a read that fails is {@link UnreadHost}, which no reconcile outcome can stand for.
     */
    private NetworkState host(Future<NetworkState> before, StartupCheck check) throws HostNetworkException {
        LastRead last = lastRead;
        LongSupplier reports = kernelReports;
        if (before == null && check == null && last != null && reports != null) {
            long now = reports.getAsLong();
            if (now >= 0 && now == last.reportsBefore()) {
                return last.state();
            }
        }
        NetworkState host;
        try {
            host = before == null ? read() : await(before);
        } catch (HostNetworkException e) {
            if (check == null) {
                throw e;
            }
            throw new UnreadHost(e);
        }
        return check != null && check.changedHost(host) ? read() : host;
    }

    /** Reads the kernel, remembered with the monitor's count from before the read began (a failed read: forgotten). */
    private NetworkState read() throws HostNetworkException {
        LongSupplier reports = kernelReports;
        long reportsBefore = reports == null ? 0 : reports.getAsLong();
        lastRead = null;
        NetworkState state = network.read();
        lastRead = new LastRead(state, reportsBefore);
        return state;
    }

    /** Carries the start-up read's failure past the reconcile's own handling of failed reads, to {@link #startUp}. */
    private static final class UnreadHost extends RuntimeException {
        private final HostNetworkException failure;

        UnreadHost(HostNetworkException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }

    /** The kernel as read by {@link #kernelReads}, with the read's own failure. */
    private static NetworkState await(Future<NetworkState> read) throws HostNetworkException {
        return Futures.await(read, HostNetworkException.class, HostNetworkException::new, "reading the host network");
    }

    /**
     * How one reconcile went: the changes that took effect, the kernel as read afterwards (if it could be), and
     * the changes the kernel refused.
     */
    private record Attempt(Outcome outcome, String message, int pending, List<Change> applied,
            Optional<NetworkState> after, List<RefusedChange> refused) {
    }

    private Attempt attempt(DesiredState desired, NetworkState before, String trigger) throws HostNetworkException {
        Plan plan = planner.plan(desired, before);
        reportConflicts(plan.conflicts());
        if (plan.isEmpty()) {
            LOG.debugf("reconcile (%s): nothing to change", trigger);
            reportRefusals(List.of());
            return new Attempt(Outcome.CONVERGED, "converged", 0, List.of(), Optional.of(before), List.of());
        }
        if (settings.dryRun()) {
            plan.changes().forEach(change -> LOG.infof("dry-run, not done: %s", describe(change)));
            int pending = plan.changes().size();
            return new Attempt(Outcome.PENDING, "dry-run: " + pending + " changes planned, none made", pending,
                    List.of(), Optional.of(before), List.of());
        }
        String failure = null;
        List<Refusal> refusals = List.of();
        lastRead = null;
        try {
            refusals = network.apply(plan.changes(), settings.protocol());
        } catch (HostNetworkException e) {
            failure = e.getMessage();
        }
        // Whatever apply said, the kernel is the truth: what changed, and what is still needed.
        NetworkState after = read();
        Plan left = planner.plan(desired, after);
        List<Change> applied = made(plan.changes(), left.changes());
        logApplied(applied);
        // A refusal the kernel made good meanwhile (someone else made the same change) is no refusal any more.
        Set<Change> stillNeeded = new HashSet<>(left.changes());
        List<RefusedChange> refused = refusals.stream().filter(r -> stillNeeded.contains(r.change()))
                .map(r -> new RefusedChange(r.change().shim(), describe(r.change()), r.reason())).toList();
        reportRefusals(refused);
        if (failure != null) {
            String message = "applying the plan failed: " + failure;
            LOG.errorf("reconcile (%s): %s", trigger, message);
            return new Attempt(Outcome.FAILED, message, left.changes().size(), applied, Optional.of(after), refused);
        }
        if (!refused.isEmpty()) {
            String message = refused.size() + " changes refused by the kernel (the others were made; retried at the next"
                    + " reconcile), first: " + refused.get(0);
            return new Attempt(Outcome.FAILED, message, left.changes().size(), applied, Optional.of(after), refused);
        }
        if (!left.isEmpty()) {
            String message = left.changes().size() + " changes still needed after applying the plan, first: "
                    + describe(left.changes().get(0));
            LOG.warnf("reconcile (%s): %s", trigger, message);
            return new Attempt(Outcome.FAILED, message, left.changes().size(), applied, Optional.of(after), List.of());
        }
        return new Attempt(Outcome.CONVERGED, "converged", 0, applied, Optional.of(after), List.of());
    }

    /** A new refusal is a WARN line; the same one again at the next reconcile is not repeated; a cleared one is INFO. */
    private void reportRefusals(List<RefusedChange> refused) {
        Set<RefusedChange> now = new LinkedHashSet<>(refused);
        for (RefusedChange refusal : now) {
            if (!knownRefusals.contains(refusal)) {
                LOG.warnf("shim %s: %s; the rest of the plan was made, this change is retried at every reconcile",
                        refusal.shim(), refusal);
            }
        }
        for (RefusedChange gone : knownRefusals) {
            if (!now.contains(gone)) {
                LOG.infof("shim %s: no longer refused: %s", gone.shim(), gone.change());
            }
        }
        knownRefusals = now;
    }

    private void reportConflicts(List<Conflict> conflicts) {
        Set<Conflict> now = new LinkedHashSet<>(conflicts);
        for (Conflict conflict : now) {
            if (knownConflicts.contains(conflict)) {
                continue;
            }
            if (conflict.kind() == Conflict.Kind.MISSING_PARENT) {
                LOG.warnf("shim %s waits: %s", conflict.shim(), conflict.detail());
            } else {
                LOG.warnf("conflict on shim %s, left alone: %s", conflict.shim(), conflict.detail());
            }
        }
        for (Conflict gone : knownConflicts) {
            if (now.contains(gone)) {
                continue;
            }
            if (gone.kind() == Conflict.Kind.MISSING_PARENT) {
                LOG.infof("shim %s: parent %s appeared", gone.shim(), gone.subject());
            } else {
                LOG.infof("conflict on shim %s resolved: %s", gone.shim(), gone.detail());
            }
        }
        knownConflicts = now;
    }

    private List<Conflict> newConflicts(Set<Conflict> previous) {
        return knownConflicts.stream().filter(conflict -> !previous.contains(conflict)).toList();
    }

    /** One line per change made; a repair says so and what had happened, so the log alone tells drift from news. */
    private void logApplied(List<Change> applied) {
        Set<Change> repaired = repaired(applied).keySet();
        applied.forEach(change -> LOG.infof("%s", repaired.contains(change) ? describeRepair(change) : describe(change)));
    }

    private Map<String, Integer> conflictsByShim() {
        Map<String, Integer> counts = new HashMap<>();
        knownConflicts.forEach(conflict -> counts.merge(conflict.shim(), 1, Integer::sum));
        return counts;
    }

    private List<ShimStatus> shimStatuses(NetworkState state, Map<String, Integer> conflicts) {
        List<ShimStatus> result = new ArrayList<>();
        for (ShimSpec spec : settings.shims()) {
            Optional<Link> link = state.link(spec.name()).filter(l -> ownership.isOurShimOn(l, spec.parent()));
            ParentState parent = state.link(spec.parent())
                    .map(p -> !p.adminUp() ? ParentState.DOWN : p.carrier() ? ParentState.UP : ParentState.NO_CARRIER)
                    .orElse(ParentState.MISSING);
            boolean present = link.isPresent();
            boolean up = link.map(Link::adminUp).orElse(false);
            boolean addressed = link.map(l -> hasAddress(l, spec.address().map(a -> a))
                    && hasAddress(l, spec.address6().map(a -> a))).orElse(false);
            List<KernelRoute> owned = state.routes().stream()
                    .filter(route -> ownership.owns(route)
                            && route.device().filter(spec.name()::equals).isPresent())
                    .toList();
            int linkdown = (int) owned.stream().filter(KernelRoute::linkdown).count();
            List<String> addresses = link.map(l -> l.globalAddresses().stream().map(Object::toString).toList())
                    .orElse(List.of());
            result.add(new ShimStatus(spec.name(), spec.parent(), parent, present, up, addressed, addresses,
                    link.map(Link::mac).orElse(""), owned.size(), linkdown, conflicts.getOrDefault(spec.name(), 0)));
        }
        return result;
    }

    private static boolean hasAddress(Link link, Optional<InetAddress> wanted) {
        return wanted.map(address -> link.addresses().stream().anyMatch(a -> a.address().equals(address)))
                .orElse(true);
    }

    /**
     * Which applied changes restore something that was in place at the last converged reconcile: those are
     * repairs of drift (a deleted shim, a lost address, a flushed route), not new wants.
     */
    private List<Repair> repairs(List<Change> changes) {
        return List.copyOf(repaired(changes).values());
    }

    private Map<Change, Repair> repaired(List<Change> changes) {
        Set<String> created = new HashSet<>();
        Map<Change, Repair> result = new java.util.LinkedHashMap<>();
        for (Change change : changes) {
            String shim = change.shim();
            if (change instanceof Change.CreateShim) {
                created.add(shim);
            }
            if (!lastHealthyShims.contains(shim)) {
                continue;
            }
            String what = null;
            String subject = "";
            if (change instanceof Change.CreateShim) {
                what = "shim";
            } else if (created.contains(shim)) {
                continue;
            } else if (change instanceof Change.AddAddress add) {
                what = "address";
                subject = IpLiterals.format(add.address());
            } else if (change instanceof Change.SetUp) {
                what = "up";
            } else if (change instanceof Change.EnableProxyNdp || change instanceof Change.AddProxyNeighbour) {
                what = "proxy_ndp";
            } else if (change instanceof Change.AddRoute add && !add.replace()
                    && lastInstalledRoutes.contains(add.destination())) {
                what = "route";
                subject = add.destination().toString();
            }
            if (what != null) {
                result.put(change, new Repair(shim, what, subject));
            }
        }
        return result;
    }

    /**
     * The wanted destinations an owned route led to: a wanted route held back by a conflict was never in
     * place, so installing it later is no repair.
     */
    private Set<IpPrefix> installed(DesiredState desired, NetworkState state) {
        Set<IpPrefix> owned = state.routes().stream()
                .filter(ownership::owns)
                .map(KernelRoute::destination)
                .collect(toSet());
        return desired.routes().stream().map(HostRoute::destination).filter(owned::contains).collect(toSet());
    }

    /** The planned changes that took effect: those no longer needed after the apply. */
    private static List<Change> made(List<Change> planned, List<Change> stillNeeded) {
        Set<Change> left = new HashSet<>(stillNeeded);
        return planned.stream().filter(change -> !left.contains(change)).toList();
    }

    /** One log line per change: what, where, and for whom. */
    static String describe(Change change) {
        if (change instanceof Change.CreateShim c) {
            return "shim " + c.shim() + " created on " + c.parent() + " (macvlan bridge, mtu " + c.mtu()
                    + c.mac().map(mac -> ", mac " + mac).orElse("") + ")";
        } else if (change instanceof Change.MarkShim c) {
            return "shim " + c.shim() + " marked as ours (alias " + c.marker() + ")";
        } else if (change instanceof Change.SetMac c) {
            return "shim " + c.shim() + ": mac set to " + c.mac();
        } else if (change instanceof Change.EnableProxyNdp c) {
            return "shim " + c.shim() + ": IPv6 forwarding and proxy NDP enabled";
        } else if (change instanceof Change.AddAddress c) {
            return "shim " + c.shim() + ": address " + IpLiterals.format(c.address()) + "/" + c.prefixLength() + " set";
        } else if (change instanceof Change.DeleteAddress c) {
            return "shim " + c.shim() + ": address " + IpLiterals.format(c.address()) + "/" + c.prefixLength()
                    + " removed";
        } else if (change instanceof Change.SetUp c) {
            return "shim " + c.shim() + " set up";
        } else if (change instanceof Change.AddProxyNeighbour c) {
            return "shim " + c.shim() + ": answers neighbour solicitations for " + IpLiterals.format(c.address());
        } else if (change instanceof Change.DeleteProxyNeighbour c) {
            return "shim " + c.shim() + ": no longer answers neighbour solicitations for "
                    + IpLiterals.format(c.address());
        } else if (change instanceof Change.AddRoute c) {
            return "route " + (c.replace() ? "replaced" : "added") + ": " + c.destination() + " via shim " + c.shim()
                    + c.source().map(s -> " src " + IpLiterals.format(s)).orElse("") + " for " + c.origin();
        } else if (change instanceof Change.DeleteRoute c) {
            return "route removed: " + c.destination() + (c.shim().isEmpty() ? "" : " via " + c.shim());
        } else if (change instanceof Change.DeleteShim c) {
            return "shim " + c.shim() + " removed";
        }
        throw new IllegalArgumentException("unknown change " + change);
    }

    /** A change that restores what was in place: the same line as {@link #describe}, saying it was a repair. */
    static String describeRepair(Change change) {
        if (change instanceof Change.CreateShim c) {
            return "shim " + c.shim() + " repaired: created again on " + c.parent() + " (deleted by someone else)";
        } else if (change instanceof Change.AddAddress c) {
            return "shim " + c.shim() + ": address " + IpLiterals.format(c.address()) + "/" + c.prefixLength()
                    + " repaired (removed by someone else)";
        } else if (change instanceof Change.SetUp c) {
            return "shim " + c.shim() + " repaired: set up again (set down by someone else)";
        } else if (change instanceof Change.AddRoute c) {
            return "route repaired: " + c.destination() + " via shim " + c.shim()
                    + c.source().map(s -> " src " + IpLiterals.format(s)).orElse("") + " for " + c.origin()
                    + " (deleted by someone else)";
        }
        return describe(change) + " (repaired: changed by someone else)";
    }

    private static <T> java.util.stream.Collector<T, ?, Set<T>> toSet() {
        return java.util.stream.Collectors.toUnmodifiableSet();
    }
}
