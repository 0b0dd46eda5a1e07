package io.github.macvlanshim.runtime.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.Change;
import io.github.macvlanshim.runtime.net.Change.AddRoute;
import io.github.macvlanshim.runtime.net.Change.CreateShim;
import io.github.macvlanshim.runtime.net.Change.MarkShim;
import io.github.macvlanshim.runtime.net.Ownership;
import io.github.macvlanshim.runtime.net.Change.DeleteRoute;
import io.github.macvlanshim.runtime.net.Change.DeleteShim;
import io.github.macvlanshim.runtime.net.Change.SetUp;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.KernelRoute;
import io.github.macvlanshim.runtime.net.Link;
import io.github.macvlanshim.runtime.net.LinkAddress;
import io.github.macvlanshim.runtime.net.LinkAddress.Scope;
import io.github.macvlanshim.runtime.net.NetworkState;
import io.github.macvlanshim.runtime.net.SimulatedKernel;
import io.github.macvlanshim.runtime.reconcile.ReconcileReport.Repair;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.Outcome;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ParentState;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.RouteStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.Served;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ShimStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.SourceStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.SourceStatus.State;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.InstanceSource;
import io.github.macvlanshim.runtime.source.SourceMemory;
import io.github.macvlanshim.runtime.source.SourceException;

/** The reconciler driven against a simulated kernel: what it changes, what it reports, what it leaves alone. */
class ReconcilerTest {

    private static final int OURS = 77;
    private static final int KERNEL = 2;
    private static final int BOOT = 3;
    private static final int STATIC = 4;
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** The host's own addresses on eth0, the shim's, and instances on macvlan children of eth0. */
    private static final String HOST4 = "198.51.100.62";
    private static final String HOST6 = "2001:db8:100::62";
    private static final String SHIM4 = "198.51.100.72";
    private static final String SHIM6 = "2001:db8:100::72";
    private static final String C1 = "198.51.100.20/32";
    private static final String C1_V6 = "2001:db8:100::20/128";
    private static final String C2 = "198.51.100.21/32";
    private static final String D1 = "198.51.100.30/32";
    private static final String D2 = "198.51.100.31/32";

    private static final ShimSpec MYNET = new ShimSpec("mynet", "eth0", Optional.of(IpLiterals.parseIpv4Only(SHIM4)),
            Optional.of(IpLiterals.parseIpv6Only(SHIM6)), List.of());

    private final FakeHostNetwork network = new FakeHostNetwork(freshHost());
    private final ScriptedSource lxd = new ScriptedSource("lxd");
    private final ScriptedSource incus = new ScriptedSource("incus");
    private final List<ReconcileReport> reports = new ArrayList<>();

    // ---- converging --------------------------------------------------------------------------------------

    @Test
    void aFreshHostConvergesInOneReconcileWithTheShimCreatedAndTheRoutesAdded() {
        lxd.answers(C1, C1_V6);

        ReconcileStatus status = reconciler(false, lxd).reconcile("test");

        assertThat(status.outcome()).isEqualTo(Outcome.CONVERGED);
        assertThat(status.message()).isEqualTo("converged");
        assertThat(status.ready()).isTrue();
        assertThat(status.lastCompleted()).contains(NOW);
        assertThat(status.pendingChanges()).isZero();
        assertThat(status.shims()).extracting(ReconcilerTest::summary).containsExactly("mynet on eth0 (up): ok, 2 routes, 0 conflicts");
        assertThat(status.sources()).containsExactly(new SourceStatus("lxd", State.REACHABLE, "", 2, Optional.of(NOW), true));
        assertThat(kernel().link("mynet")).hasValueSatisfying(link -> {
            assertThat(link.isMacvlanBridgeOn("eth0")).isTrue();
            assertThat(link.adminUp()).isTrue();
        });
        assertThat(routesTo(C1)).containsExactly(ours(C1, SHIM4));
        assertThat(routesTo(C1_V6)).containsExactly(ours(C1_V6, SHIM6));

        assertThat(network.applyCalls()).singleElement()
                .satisfies(call -> assertThat(call.protocol()).isEqualTo(OURS));
        ReconcileReport report = onlyReport();
        assertThat(report.outcome()).isEqualTo(Outcome.CONVERGED);
        assertThat(report.applied()).isEqualTo(network.applyCalls().get(0).changes());
        assertThat(report.applied()).first().isEqualTo(new CreateShim("mynet", "eth0", 1500));
        assertThat(report.applied()).endsWith(add(lxd, C1, SHIM4), add(lxd, C1_V6, SHIM6));
        assertThat(report.status()).isEqualTo(status);
    }

    @Test
    void aSecondReconcileOfAConvergedHostAppliesNothingAndReportsNoChanges() {
        lxd.answers(C1, C1_V6);
        Reconciler reconciler = reconciler(false, lxd);
        reconciler.reconcile("first");
        NetworkState converged = kernel();

        ReconcileStatus status = reconciler.reconcile("second");

        assertThat(network.applyCalls()).hasSize(1);
        assertThat(kernel()).isEqualTo(converged);
        assertThat(status.outcome()).isEqualTo(Outcome.CONVERGED);
        assertThat(status.ready()).isTrue();
        assertThat(lastReport().applied()).isEmpty();
        assertThat(lastReport().repairs()).isEmpty();
    }

    // ---- sources -----------------------------------------------------------------------------------------

    @Test
    void aSourceThatHasNeverAnsweredCausesNoDeletionAndKeepsTheHostUnready() {
        lxd.answers(C1, C2);
        reconciler(false, lxd).reconcile("before a restart");
        ScriptedSource lxdAfterRestart = new ScriptedSource("lxd");
        lxdAfterRestart.failsWith(new SourceException("lxd: connection refused"));
        incus.answers(D1);

        ReconcileStatus status = reconciler(false, lxdAfterRestart, incus).reconcile("after a restart");

        assertThat(ownedDestinations()).containsExactlyInAnyOrder(C1, C2, D1);
        assertThat(lastReport().applied()).containsExactly(add(incus, D1, SHIM4));
        assertThat(status.outcome()).isEqualTo(Outcome.CONVERGED);
        assertThat(status.sources()).containsExactly(
                new SourceStatus("lxd", State.UNREACHABLE, "lxd: connection refused", 0, Optional.empty(), true),
                new SourceStatus("incus", State.REACHABLE, "", 1, Optional.of(NOW), true));
        assertThat(status.ready()).isFalse();
    }

    @Test
    void aSourceThrowingARuntimeExceptionIsTreatedAsUnreachableAndTheEngineKeepsRunning() {
        network.kernel().addRoute(new KernelRoute(prefix(D1), Optional.of("eth0"), Optional.empty(),
                Optional.of(ip(HOST4)), OURS, 0));
        lxd.crashesWith(new IllegalStateException("unexpected reply"));
        Reconciler reconciler = reconciler(false, lxd);

        ReconcileStatus down = reconciler.reconcile("source crashing");

        assertThat(ownedDestinations()).containsExactly(D1);
        assertThat(down.sources()).containsExactly(new SourceStatus("lxd", State.UNREACHABLE, "unexpected reply", 0,
                Optional.empty(), true));
        assertThat(down.ready()).isFalse();

        lxd.answers(C1);
        ReconcileStatus back = reconciler.reconcile("source back");

        assertThat(ownedDestinations()).containsExactly(C1);
        assertThat(back.ready()).isTrue();
    }

    @Test
    void aFailingSourcesLastGoodSnapshotStandsWhileAHealthySourcesRoutesChange() {
        lxd.answers(C1, C2);
        incus.answers(D1);
        Reconciler reconciler = reconciler(false, lxd, incus);
        reconciler.reconcile("start");
        lxd.failsWith(new SourceException("lxd: timed out"));
        incus.answers(D2);
        network.kernel().deleteRoutesTo(prefix(C1));

        ReconcileStatus status = reconciler.reconcile("lxd down");

        assertThat(ownedDestinations()).containsExactlyInAnyOrder(C1, C2, D2);
        assertThat(lastReport().applied()).containsExactly(
                new DeleteRoute("mynet", prefix(D1), 0),
                add(lxd, C1, SHIM4),
                add(incus, D2, SHIM4));
        assertThat(status.outcome()).isEqualTo(Outcome.CONVERGED);
        assertThat(status.sources()).containsExactly(
                new SourceStatus("lxd", State.UNREACHABLE, "lxd: timed out", 2, Optional.of(NOW), true),
                new SourceStatus("incus", State.REACHABLE, "", 1, Optional.of(NOW), true));
        assertThat(status.ready()).isFalse();
    }

    @Test
    void aSourceBackWithFewerEndpointsHasTheMissingOnesDeleted() {
        lxd.answers(C1, C2);
        Reconciler reconciler = reconciler(false, lxd);
        reconciler.reconcile("start");
        lxd.failsWith(new SourceException("lxd: timed out"));
        reconciler.reconcile("lxd down");
        lxd.answers(C2);

        ReconcileStatus status = reconciler.reconcile("lxd back");

        assertThat(ownedDestinations()).containsExactly(C2);
        assertThat(lastReport().applied()).containsExactly(new DeleteRoute("mynet", prefix(C1), 0));
        assertThat(status.ready()).isTrue();
    }

    // ---- dry-run -----------------------------------------------------------------------------------------

    @Test
    void dryRunPlansButNeverAppliesAndReportsThePlanAsPending() throws Exception {
        lxd.answers(C1, C1_V6);
        NetworkState before = kernel();
        Plan plan = new Planner(OURS).plan(DesiredStateBuilder.build(List.of(MYNET), lxd.snapshot(), true), before);

        ReconcileStatus status = reconciler(true, lxd).reconcile("test");

        assertThat(network.applyCalls()).isEmpty();
        assertThat(kernel()).isEqualTo(before);
        assertThat(status.outcome()).isEqualTo(Outcome.PENDING);
        assertThat(status.pendingChanges()).isEqualTo(plan.changes().size()).isEqualTo(9);
        assertThat(status.message()).isEqualTo("dry-run: 9 changes planned, none made");
        assertThat(status.ready()).isFalse();
        assertThat(onlyReport().applied()).isEmpty();
    }

    // ---- failures ----------------------------------------------------------------------------------------

    @Test
    void aChangeTheKernelRefusesIsReportedWithItsReasonTheOthersAreMadeAndItIsRetriedAtTheNextReconcile() {
        lxd.answers(C1, C1_V6);
        network.failNextApplyAtChange(8);
        Reconciler reconciler = reconciler(false, lxd);

        ReconcileStatus status = reconciler.reconcile("test");

        List<Change> planned = network.applyCalls().get(0).changes();
        Change refused = planned.get(7);
        assertThat(refused).isEqualTo(add(lxd, C1, SHIM4));
        assertThat(status.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(status.refused()).containsExactly(new ReconcileStatus.RefusedChange("mynet",
                Reconciler.describe(refused), "simulated refusal (ip batch line 8)"));
        assertThat(status.message()).startsWith("1 changes refused by the kernel (the others were made");
        assertThat(lastReport().applied()).as("every other change was made, the one after the refused too")
                .containsExactlyElementsOf(planned.stream().filter(change -> change != refused).toList());
        assertThat(ownedDestinations()).containsExactly(C1_V6);
        assertThat(status.pendingChanges()).isEqualTo(1);
        assertThat(status.ready()).isFalse();

        ReconcileStatus retried = reconciler.reconcile("retry");

        assertThat(retried.outcome()).isEqualTo(Outcome.CONVERGED);
        assertThat(retried.refused()).isEmpty();
        assertThat(retried.ready()).isTrue();
        assertThat(lastReport().applied()).containsExactly(refused);
    }

    @Test
    void aListenerThatThrowsOrReconcilesItselfBreaksNothing() {
        lxd.answers(C1);
        List<ReconcileStatus> nested = new ArrayList<>();
        Reconciler[] holder = new Reconciler[1];
        EngineSettings settings = new EngineSettings(List.of(MYNET), Duration.ofSeconds(30), OURS, OnStop.KEEP, false,
                Optional.empty());
        holder[0] = new Reconciler(settings, network, List.of(lxd), CLOCK, report -> {
            reports.add(report);
            if (reports.size() == 1) {
                // Runs outside the reconciler's lock: a reconcile from here is a plain second reconcile.
                nested.add(holder[0].reconcile("from a listener"));
            }
            throw new IllegalStateException("listener bug");
        });

        ReconcileStatus first = holder[0].reconcile("test");

        assertThat(first.outcome()).isEqualTo(Outcome.CONVERGED);
        assertThat(nested).singleElement().satisfies(status -> assertThat(status.outcome()).isEqualTo(Outcome.CONVERGED));
        assertThat(reports).hasSize(2);
        lxd.answers(C1, C2);
        assertThat(holder[0].reconcile("after").outcome()).as("the reconciler still works").isEqualTo(Outcome.CONVERGED);
        assertThat(ownedDestinations()).containsExactlyInAnyOrder(C1, C2);
    }

    @Test
    void afterStopAReconcileChangesNothing() {
        Reconciler reconciler = convergedWith(C1);
        network.kernel().deleteRoutesTo(prefix(C1));
        int calls = network.applyCalls().size();

        reconciler.stop();
        reconciler.reconcile("late tick");

        assertThat(network.applyCalls()).hasSize(calls);
        assertThat(ownedDestinations()).isEmpty();
    }

    @Test
    void aReadFailingIsAFailureWithNothingAppliedAndTheNextReconcileWorks() {
        lxd.answers(C1);
        network.failNextRead();
        Reconciler reconciler = reconciler(false, lxd);

        ReconcileStatus status = reconciler.reconcile("test");

        assertThat(status.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(status.message())
                .isEqualTo("reading the host network failed: ip -json link show: simulated read failure");
        assertThat(status.ready()).isFalse();
        assertThat(network.applyCalls()).isEmpty();
        assertThat(kernel()).isEqualTo(freshHost());
        assertThat(lastReport().applied()).isEmpty();

        ReconcileStatus retried = reconciler.reconcile("retry");

        assertThat(retried.outcome()).isEqualTo(Outcome.CONVERGED);
        assertThat(ownedDestinations()).containsExactly(C1);
    }

    @Test
    void theKernelIsReadWhileASourceIsAskedNotAfterItAnswers() {
        CountDownLatch kernelRead = new CountDownLatch(1);
        network.onRead(kernelRead::countDown);
        boolean[] readWhileAsked = {false};
        List<Endpoint> endpoints = List.of(lxd.endpoint(C1));
        lxd.answersWith(() -> {
            try {
                readWhileAsked[0] = kernelRead.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return endpoints;
        });

        ReconcileStatus status = reconciler(false, lxd).reconcile("test");

        assertThat(readWhileAsked[0]).as("the kernel was read while the source was still answering").isTrue();
        assertThat(status.outcome()).isEqualTo(Outcome.CONVERGED);
        assertThat(ownedDestinations()).containsExactly(C1);
    }

    // ---- repairs -----------------------------------------------------------------------------------------

    @Test
    void theFirstReconcileEverReportsNoRepairsEvenForAShimItFindsDown() {
        network.kernel().apply(new CreateShim("mynet", "eth0", 1500), OURS);
        network.kernel().apply(new MarkShim("mynet", new Ownership(OURS).marker()), OURS);
        lxd.answers(C1);

        reconciler(false, lxd).reconcile("first");

        assertThat(onlyReport().applied()).contains(new SetUp("mynet"));
        assertThat(onlyReport().repairs()).isEmpty();
    }

    @Test
    void aDeletedShimIsOneShimRepairNotAlsoARepairOfEachRouteItTookAlong() {
        Reconciler reconciler = convergedWith(C1, C1_V6);
        network.kernel().deleteLink("mynet");

        ReconcileStatus status = reconciler.reconcile("drift");

        assertThat(status.outcome()).isEqualTo(Outcome.CONVERGED);
        assertThat(lastReport().applied()).contains(new CreateShim("mynet", "eth0", 1500), add(lxd, C1, SHIM4),
                add(lxd, C1_V6, SHIM6));
        assertThat(lastReport().repairs()).containsExactly(new Repair("mynet", "shim", ""));
    }

    @Test
    void theStatusListsEveryOwnedRouteWithTheInstancesItServesTheTriggerAndTheShimsAddresses() {
        lxd.answers(C1, C1_V6);

        ReconcileStatus status = reconciler(false, lxd).reconcile("start-up");

        assertThat(status.trigger()).isEqualTo("start-up");
        assertThat(status.failures()).isZero();
        assertThat(status.routes()).containsExactly(
                new RouteStatus(C1, "mynet", false, List.of(new Served("lxd", "default", "c-" + C1, "eth0"))),
                new RouteStatus(C1_V6, "mynet", false, List.of(new Served("lxd", "default", "c-" + C1_V6, "eth0"))));
        assertThat(status.shims()).singleElement().satisfies(shim -> {
            assertThat(shim.parentState()).isEqualTo(ParentState.UP);
            assertThat(shim.addresses()).contains(SHIM4 + "/32", SHIM6 + "/128");
        });
    }

    @Test
    void failedReconcilesAreCountedInARowUntilOneConverges() {
        Reconciler reconciler = convergedWith(C1);
        network.kernel().deleteRoutesTo(prefix(C1));
        network.failNextApplyAtChange(1);
        assertThat(reconciler.reconcile("drift").failures()).isEqualTo(1);
        assertThat(reconciler.reconcile("retry").failures()).isZero();
    }

    @Test
    void aRepairIsWordedAsOneAndANewRouteIsNot() {
        Change.AddRoute route = new Change.AddRoute("mynet", prefix(C1), Optional.empty(), "lxd default/c1 eth0", false);
        assertThat(Reconciler.describeRepair(route))
                .isEqualTo("route repaired: " + C1 + " via shim mynet for lxd default/c1 eth0 (deleted by someone else)");
        assertThat(Reconciler.describe(route)).isEqualTo("route added: " + C1 + " via shim mynet for lxd default/c1 eth0");
        assertThat(Reconciler.describeRepair(new SetUp("mynet")))
                .isEqualTo("shim mynet repaired: set up again (set down by someone else)");
    }

    @Test
    void aDeletedOwnedRouteIsARouteRepair() {
        Reconciler reconciler = convergedWith(C1, C1_V6);
        network.kernel().deleteRoutesTo(prefix(C1));

        reconciler.reconcile("drift");

        assertThat(lastReport().applied()).containsExactly(add(lxd, C1, SHIM4));
        assertThat(lastReport().repairs()).containsExactly(new Repair("mynet", "route", C1));
    }

    @Test
    void aShimSetDownIsAnUpRepairAndEachRouteTheKernelFlushedWithItARouteRepair() {
        Reconciler reconciler = convergedWith(C1, C1_V6);
        network.kernel().setDown("mynet");

        reconciler.reconcile("drift");

        assertThat(lastReport().applied()).containsExactly(new SetUp("mynet"), add(lxd, C1, SHIM4), add(lxd, C1_V6, SHIM6));
        assertThat(lastReport().repairs()).containsExactly(new Repair("mynet", "up", ""), new Repair("mynet", "route", C1),
                new Repair("mynet", "route", C1_V6));
    }

    @Test
    void aRepairIsReportedOnlyWhenItsChangeWasMade() {
        Reconciler reconciler = convergedWith(C1, C1_V6);
        network.kernel().setDown("mynet");
        network.failNextApplyAtChange(2);

        ReconcileStatus status = reconciler.reconcile("drift");

        assertThat(status.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(lastReport().applied()).containsExactly(new SetUp("mynet"), add(lxd, C1_V6, SHIM6));
        assertThat(lastReport().repairs()).containsExactly(new Repair("mynet", "up", ""), new Repair("mynet", "route", C1_V6));
    }

    // ---- conflicts ---------------------------------------------------------------------------------------

    @Test
    void aForeignRouteToAWantedDestinationIsAConflictLeftAloneUntilItGoes() {
        KernelRoute foreign = new KernelRoute(prefix(C1), Optional.of("eth0"), Optional.of(ip("198.51.100.1")),
                Optional.empty(), STATIC, 0);
        network.kernel().addRoute(foreign);
        lxd.answers(C1, C2);
        Reconciler reconciler = reconciler(false, lxd);

        ReconcileStatus status = reconciler.reconcile("conflict");

        assertThat(status.outcome()).isEqualTo(Outcome.CONVERGED);
        assertThat(status.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.kind()).isEqualTo(Conflict.Kind.FOREIGN_ROUTE);
            assertThat(conflict.shim()).isEqualTo("mynet");
            assertThat(conflict.subject()).isEqualTo(C1);
        });
        assertThat(status.shims()).extracting(ReconcilerTest::summary).containsExactly("mynet on eth0 (up): ok, 1 routes, 1 conflicts");
        assertThat(routesTo(C1)).containsExactly(foreign);
        assertThat(ownedDestinations()).containsExactly(C2);

        network.kernel().deleteRoutesTo(prefix(C1));
        ReconcileStatus resolved = reconciler.reconcile("conflict gone");

        assertThat(resolved.conflicts()).isEmpty();
        assertThat(resolved.shims()).extracting(ReconcilerTest::summary).containsExactly("mynet on eth0 (up): ok, 2 routes, 0 conflicts");
        assertThat(routesTo(C1)).containsExactly(ours(C1, SHIM4));
        assertThat(lastReport().applied()).containsExactly(add(lxd, C1, SHIM4));
        // Ours was never in place, so installing it is a first install, not a repair.
        assertThat(lastReport().repairs()).isEmpty();
    }

    // ---- on-stop=remove ----------------------------------------------------------------------------------

    @Test
    void removeOwnedDeletesOnlyOwnedRoutesAndOurShim() throws Exception {
        Reconciler reconciler = convergedWith(C1, C1_V6);
        KernelRoute leftByAnEarlierConfig = new KernelRoute(prefix("203.0.113.0/24"), Optional.of("eth0"),
                Optional.empty(), Optional.empty(), OURS, 10);
        network.kernel().addRoute(leftByAnEarlierConfig);

        reconciler.removeOwned();

        assertThat(kernel()).isEqualTo(freshHost());
        assertThat(network.applyCalls()).last().satisfies(call -> assertThat(call.changes()).containsExactly(
                new DeleteRoute("mynet", prefix(C1), 0),
                new DeleteRoute("mynet", prefix(C1_V6), 1024),
                new DeleteRoute("eth0", prefix("203.0.113.0/24"), 10),
                new DeleteShim("mynet")));
    }

    @Test
    void removeOwnedInDryRunDeletesNothing() throws Exception {
        convergedWith(C1, C1_V6);
        NetworkState converged = kernel();

        reconciler(true, lxd).removeOwned();

        assertThat(kernel()).isEqualTo(converged);
        assertThat(network.applyCalls()).hasSize(1);
    }

    @Test
    void removeOwnedOnAHostWithNothingOfOursAppliesNothing() throws Exception {
        reconciler(false, lxd).removeOwned();

        assertThat(network.applyCalls()).isEmpty();
    }

    // ---- fixtures ----------------------------------------------------------------------------------------

    // ---- planning on the last read ----------------------------------------------------------------------

    @Test
    void anEventReconcilePlansOnTheLastReadWhileTheMonitorReportsNothingAndReadsFirstOnceItDoes() {
        AtomicLong reported = new AtomicLong();
        AtomicInteger reads = new AtomicInteger();
        network.onRead(reads::incrementAndGet);
        SourceGatherer gatherer = new SourceGatherer(List.of(lxd), SourceMemory.none(), CLOCK);
        Reconciler reconciler = new Reconciler(settings(false), network, gatherer, CLOCK, reports::add);
        reconciler.planOnLastReadWhileUnreported(reported::get);
        lxd.answers(C1);
        assertThat(reconciler.reconcile("start").outcome()).isEqualTo(Outcome.CONVERGED);

        int before = reads.get();
        gatherer.instanceChanged("lxd", "default", "c-" + C2, List.of(lxd.endpoint(C2)));
        assertThat(reconciler.reconcileWithKnown("event").outcome()).isEqualTo(Outcome.CONVERGED);

        assertThat(routesTo(C2)).containsExactly(ours(C2, SHIM4));
        assertThat(reads.get() - before).as("the read after the change only: planned on the last read").isEqualTo(1);

        network.kernel().deleteRoutesTo(prefix(C1));
        reported.incrementAndGet();
        before = reads.get();
        reconciler.reconcileWithKnown("event");

        assertThat(lastReport().applied()).as("the reported change was read before planning").containsExactly(add(lxd, C1, SHIM4));
        assertThat(reads.get() - before).isEqualTo(2);
    }

    @Test
    void withNoReportCountOrASnapshotDueEveryReconcileReadsBeforeItPlans() {
        AtomicInteger reads = new AtomicInteger();
        network.onRead(reads::incrementAndGet);
        Reconciler reconciler = convergedWith(C1);
        network.kernel().deleteRoutesTo(prefix(C1));

        int before = reads.get();
        reconciler.reconcileWithKnown("event");
        assertThat(lastReport().applied()).containsExactly(add(lxd, C1, SHIM4));
        assertThat(reads.get() - before).as("no monitor count given: read, change, read").isEqualTo(2);

        reconciler.planOnLastReadWhileUnreported(() -> 0);
        network.kernel().deleteRoutesTo(prefix(C1));
        before = reads.get();
        reconciler.reconcile("tick");
        assertThat(lastReport().applied()).as("a tick reads: it is the backstop for what no monitor saw")
                .containsExactly(add(lxd, C1, SHIM4));
        assertThat(reads.get() - before).isEqualTo(2);
    }

    @Test
    void afterAChangeWhoseReadBackFailedTheNextReconcileReadsBeforeItPlans() {
        AtomicInteger reads = new AtomicInteger();
        network.onRead(reads::incrementAndGet);
        SourceGatherer gatherer = new SourceGatherer(List.of(lxd), SourceMemory.none(), CLOCK);
        Reconciler reconciler = new Reconciler(settings(false), network, gatherer, CLOCK, reports::add);
        reconciler.planOnLastReadWhileUnreported(() -> 0);
        lxd.answers(C1);
        reconciler.reconcile("start");

        gatherer.instanceChanged("lxd", "default", "c-" + C2, List.of(lxd.endpoint(C2)));
        network.failNextRead();
        assertThat(reconciler.reconcileWithKnown("event").outcome()).as("the read after the change failed")
                .isEqualTo(Outcome.FAILED);

        int before = reads.get();
        network.kernel().deleteRoutesTo(prefix(C1));
        reconciler.reconcileWithKnown("event");
        assertThat(reads.get() - before).as("nothing to plan on: read first").isEqualTo(2);
        assertThat(lastReport().applied()).containsExactly(add(lxd, C1, SHIM4));
    }

    private static EngineSettings settings(boolean dryRun) {
        return new EngineSettings(List.of(MYNET), Duration.ofSeconds(30), OURS, OnStop.KEEP, dryRun, Optional.empty());
    }

    private Reconciler reconciler(boolean dryRun, InstanceSource... sources) {
        EngineSettings settings = new EngineSettings(List.of(MYNET), Duration.ofSeconds(30), OURS, OnStop.KEEP, dryRun,
                Optional.empty());
        return new Reconciler(settings, network, List.of(sources), CLOCK, reports::add);
    }

    /** A reconciler whose host has converged with lxd wanting {@code destinations}: the base for drift. */
    private Reconciler convergedWith(String... destinations) {
        lxd.answers(destinations);
        Reconciler reconciler = reconciler(false, lxd);
        assertThat(reconciler.reconcile("start").outcome()).isEqualTo(Outcome.CONVERGED);
        return reconciler;
    }

    private NetworkState kernel() {
        return network.kernel().state();
    }

    private List<KernelRoute> routesTo(String destination) {
        return kernel().routes().stream().filter(route -> route.destination().equals(prefix(destination))).toList();
    }

    private Set<String> ownedDestinations() {
        return kernel().routes().stream()
                .filter(route -> route.protocol() == OURS)
                .map(route -> route.destination().toString())
                .collect(Collectors.toSet());
    }

    private ReconcileReport onlyReport() {
        assertThat(reports).hasSize(1);
        return reports.get(0);
    }

    private ReconcileReport lastReport() {
        assertThat(reports).isNotEmpty();
        return reports.get(reports.size() - 1);
    }

    /** eth0 with the host's addresses and the routes any LAN host has: none of them ours. */
    private static NetworkState freshHost() {
        Link eth0 = new Link("eth0", 2, Optional.empty(), Optional.empty(), Optional.empty(), 1500, true, List.of(
                new LinkAddress(ip(HOST4), 24, Scope.GLOBAL, false),
                new LinkAddress(ip(HOST6), 64, Scope.GLOBAL, false),
                new LinkAddress(ip("fe80::62"), 64, Scope.LINK, false)), false, false);
        return NetworkState.of(List.of(eth0), List.of(
                new KernelRoute(prefix("0.0.0.0/0"), Optional.of("eth0"), Optional.of(ip("198.51.100.1")),
                        Optional.empty(), BOOT, 0),
                new KernelRoute(prefix("198.51.100.0/24"), Optional.of("eth0"), Optional.empty(), Optional.empty(),
                        KERNEL, 0),
                new KernelRoute(prefix("2001:db8:100::/64"), Optional.of("eth0"), Optional.empty(), Optional.empty(),
                        KERNEL, 256)), Set.of());
    }

    private static KernelRoute ours(String destination, String source) {
        return new KernelRoute(prefix(destination), Optional.of("mynet"), Optional.empty(), Optional.of(ip(source)),
                OURS, SimulatedKernel.defaultMetric(prefix(destination)));
    }

    /** The route {@code from} wants to {@code destination}, added from {@code source}. */
    private static AddRoute add(ScriptedSource from, String destination, String source) {
        return new AddRoute("mynet", prefix(destination), Optional.of(ip(source)),
                from.endpoint(destination).origin(), false);
    }

    private static IpPrefix prefix(String text) {
        return IpPrefix.parse(text);
    }

    private static InetAddress ip(String text) {
        return IpLiterals.parse(text);
    }

    /** A source that answers what the test last told it to. */
    private static final class ScriptedSource implements InstanceSource {

        private interface Answer {
            List<Endpoint> get() throws SourceException;
        }

        private final String name;
        private Answer answer = List::of;

        ScriptedSource(String name) {
            this.name = name;
        }

        void answers(String... destinations) {
            List<Endpoint> endpoints = Stream.of(destinations).map(this::endpoint).toList();
            answer = () -> endpoints;
        }

        void answersWith(Answer answer) {
            this.answer = answer;
        }

        void failsWith(SourceException failure) {
            answer = () -> {
                throw failure;
            };
        }

        void crashesWith(RuntimeException crash) {
            answer = () -> {
                throw crash;
            };
        }

        Endpoint endpoint(String destination) {
            return new Endpoint(name, "default", "c-" + destination, "eth0", "eth0", prefix(destination));
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<Endpoint> snapshot() throws SourceException {
            return answer.get();
        }
    }

    private static String summary(ShimStatus shim) {
        return shim.name() + " on " + shim.parent() + " (" + shim.parentState().name().toLowerCase() + "): " + shim.state()
                + ", " + shim.routes() + " routes, " + shim.conflicts() + " conflicts";
    }
}
