package io.github.macvlanshim.runtime.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.SourceStatus.State;
import io.github.macvlanshim.runtime.reconcile.SourceGatherer.Gathered;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.InstanceSource;
import io.github.macvlanshim.runtime.source.SourceAbsentException;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.SourceMemory;

class SourceGathererTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T01:00:00Z"), ZoneOffset.UTC);
    private static final Endpoint C1 = endpoint("c1", "198.51.100.201");
    private static final Endpoint C2 = endpoint("c2", "198.51.100.202");
    private static final Endpoint C3 = endpoint("c3", "198.51.100.203");

    @TempDir
    Path dir;

    @Test
    void aRestartWhileTheSourceIsAbsentKeepsWhatItLastSaidAndPrunesNothing() {
        Path file = dir.resolve("sources.json");
        Scripted lxd = new Scripted(InstanceSource.Expectation.DETECTED).answers(C1, C2);
        new SourceGatherer(List.of(lxd), SourceMemory.at(file), CLOCK).gather();

        lxd.absent();
        Gathered afterRestart = new SourceGatherer(List.of(lxd), SourceMemory.at(file), CLOCK).gather();

        assertThat(afterRestart.endpoints()).containsExactlyInAnyOrder(C1, C2);
        assertThat(afterRestart.pruneAllowed()).isTrue();
        assertThat(afterRestart.statuses()).singleElement().satisfies(status -> {
            assertThat(status.state()).isEqualTo(State.ABSENT);
            assertThat(status.expected()).isTrue();
            assertThat(status.healthy()).isFalse();
            assertThat(status.endpoints()).isEqualTo(2);
            assertThat(status.describe()).isEqualTo("absent, expected back: no API socket at /run/lxd.socket");
        });
    }

    @Test
    void withoutMemoryAnExpectedSourceThatNeverAnsweredHoldsPruningBack() {
        Scripted lxd = new Scripted(InstanceSource.Expectation.CONFIGURED);
        lxd.absent();

        Gathered gathered = new SourceGatherer(List.of(lxd), SourceMemory.none(), CLOCK).gather();

        assertThat(gathered.endpoints()).isEmpty();
        assertThat(gathered.pruneAllowed()).isFalse();
        assertThat(gathered.statuses().get(0).healthy()).isFalse();
    }

    @Test
    void anAutoDetectedSourceThisHostNeverHadNeitherHoldsPruningBackNorMakesTheHostUnhealthy() {
        Scripted lxd = new Scripted(InstanceSource.Expectation.DETECTED);
        lxd.absent();

        Gathered gathered = new SourceGatherer(List.of(lxd), SourceMemory.none(), CLOCK).gather();

        assertThat(gathered.pruneAllowed()).isTrue();
        assertThat(gathered.statuses().get(0).expected()).isFalse();
        assertThat(gathered.statuses().get(0).healthy()).isTrue();
        assertThat(gathered.statuses().get(0).describe()).startsWith("not on this host: no API socket at");
    }

    @Test
    void anAutoDetectedSourceWhoseSocketExistsButFailsIsExpected() {
        Scripted lxd = new Scripted(InstanceSource.Expectation.DETECTED);
        lxd.fails(new SourceException("GET /1.0 failed: connection refused"));

        Gathered gathered = new SourceGatherer(List.of(lxd), SourceMemory.none(), CLOCK).gather();

        assertThat(gathered.pruneAllowed()).isFalse();
        assertThat(gathered.statuses().get(0).describe()).isEqualTo("unreachable: GET /1.0 failed: connection refused");
    }

    @Test
    void aSourceSeenInThisRunThatGoesAwayKeepsItsEndpoints() {
        Scripted lxd = new Scripted(InstanceSource.Expectation.DETECTED).answers(C1);
        SourceGatherer gatherer = new SourceGatherer(List.of(lxd), SourceMemory.none(), CLOCK);
        gatherer.gather();

        lxd.absent();
        gatherer.markAllStale();
        Gathered gone = gatherer.gather();

        assertThat(gone.endpoints()).containsExactly(C1);
        assertThat(gone.statuses().get(0).expected()).isTrue();
    }

    @Test
    void onlyStaleSourcesAreAskedAndAnInstanceChangeCostsNoSnapshot() {
        Scripted lxd = new Scripted(InstanceSource.Expectation.CONFIGURED).answers(C1, C2);
        SourceGatherer gatherer = new SourceGatherer(List.of(lxd), SourceMemory.none(), CLOCK);
        gatherer.gather();
        assertThat(lxd.snapshots.get()).isEqualTo(1);

        Gathered kernelEvent = gatherer.gather();
        gatherer.instanceChanged("lxd", "default", "c2", List.of());
        gatherer.instanceChanged("lxd", "default", "c3", List.of(C3));
        Gathered sourceEvents = gatherer.gather();
        gatherer.markStale("lxd");
        Gathered resync = gatherer.gather();

        assertThat(kernelEvent.endpoints()).containsExactly(C1, C2);
        assertThat(sourceEvents.endpoints()).containsExactlyInAnyOrder(C1, C3);
        assertThat(sourceEvents.statuses().get(0).endpoints()).as("the count follows instance events").isEqualTo(2);
        assertThat(lxd.snapshots.get()).as("snapshots: start-up, then the resync only").isEqualTo(2);
        assertThat(resync.endpoints()).containsExactly(C1, C2);
    }

    @Test
    void anInstanceChangeReportedWhileASnapshotIsUnderWayIsAppliedOnTopOfIt() {
        Scripted lxd = new Scripted(InstanceSource.Expectation.CONFIGURED).answers(C1, C2);
        SourceGatherer gatherer = new SourceGatherer(List.of(lxd), SourceMemory.none(), CLOCK);
        gatherer.gather();
        // c2 stops while the daemon is answering a listing that still has it.
        lxd.during(() -> gatherer.instanceChanged("lxd", "default", "c2", List.of()));
        gatherer.markStale("lxd");

        assertThat(gatherer.gather().endpoints()).containsExactly(C1);
    }

    @Test
    void aSourceThatFailsAfterAnsweringKeepsItsLastGoodEndpointsAndTheFileKeepsThem() {
        Path file = dir.resolve("sources.json");
        Scripted lxd = new Scripted(InstanceSource.Expectation.CONFIGURED).answers(C1, C2);
        SourceGatherer gatherer = new SourceGatherer(List.of(lxd), SourceMemory.at(file), CLOCK);
        gatherer.gather();
        lxd.fails(new SourceException("timed out"));
        gatherer.markAllStale();

        Gathered failing = gatherer.gather();

        assertThat(failing.endpoints()).containsExactly(C1, C2);
        assertThat(failing.pruneAllowed()).isTrue();
        assertThat(SourceMemory.at(file).load()).isEqualTo(Map.of("lxd", List.of(C1, C2)));
    }

    private static Endpoint endpoint(String instance, String address) {
        return new Endpoint("lxd", "default", instance, "eth0", "eth0", IpPrefix.parse(address));
    }

    private static final class Scripted implements InstanceSource {

        private final Expectation expectation;
        private final AtomicInteger snapshots = new AtomicInteger();
        private List<Endpoint> answer = List.of();
        private SourceException failure;
        private Runnable during = () -> {
        };

        Scripted(Expectation expectation) {
            this.expectation = expectation;
        }

        Scripted answers(Endpoint... endpoints) {
            answer = new ArrayList<>(List.of(endpoints));
            failure = null;
            return this;
        }

        void absent() {
            failure = new SourceAbsentException("no API socket at /run/lxd.socket");
        }

        void fails(SourceException e) {
            failure = e;
        }

        void during(Runnable action) {
            during = action;
        }

        @Override
        public String name() {
            return "lxd";
        }

        @Override
        public Expectation expectation() {
            return expectation;
        }

        @Override
        public List<Endpoint> snapshot() throws SourceException {
            snapshots.incrementAndGet();
            during.run();
            if (failure != null) {
                throw failure;
            }
            return answer;
        }
    }
}
