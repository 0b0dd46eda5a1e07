package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.source.Endpoint;

/**
 * The schedule of an instance's state reads after an event, with the default timing (50 ms for the first 2 s, then
 * doubling to 2 s, a minute in all): when an address shows, how long until a read sees it, and how many reads a
 * start costs.
 */
class AddressWaitTest {

    private static final Duration INITIAL = Duration.ofMillis(50);
    private static final Duration FAST = Duration.ofSeconds(2);
    private static final Duration CAP = Duration.ofSeconds(2);
    private static final Duration TOTAL = Duration.ofSeconds(60);
    private static final List<Endpoint> NONE = List.of();
    private static final List<Endpoint> V4 = List.of(endpoint("198.51.100.7"));
    private static final List<Endpoint> V4_V6 = List.of(endpoint("198.51.100.7"), endpoint("2001:db8::7"));

    private static Endpoint endpoint(String address) {
        return new Endpoint("lxd", "default", "c1", "eth0", "eth0", IpPrefix.parse(address));
    }

    private static AddressWait defaults() {
        return new AddressWait(INITIAL, FAST, CAP, TOTAL);
    }

    /** The instance's endpoints at a time since the event: empty before {@code at}, {@code then} from it. */
    private record Instance(long at, List<Endpoint> then) {
        List<Endpoint> readAt(long millis) {
            return millis >= at ? then : NONE;
        }
    }

    /** The times (ms after the event) of every read, the first at once, until the wait is over. */
    private static List<Long> reads(AddressWait wait, Instance instance, boolean fastAllowed) {
        List<Long> times = new ArrayList<>();
        long now = 0;
        while (true) {
            times.add(now);
            Optional<Duration> next = wait.next(instance.readAt(now), fastAllowed);
            if (next.isEmpty()) {
                return times;
            }
            now += next.get().toMillis();
        }
    }

    /** The first read at or after the address showed, minus when it showed. */
    private static long seenAfter(List<Long> reads, long shown) {
        return reads.stream().filter(t -> t >= shown).findFirst().orElseThrow() - shown;
    }

    @Test
    void anAddressThatShowsWithinTheFirstTwoSecondsIsReadWithinOneFastInterval() {
        for (long shown = 0; shown < FAST.toMillis(); shown += 7) {
            List<Long> reads = reads(defaults(), new Instance(shown, V4), true);
            assertThat(seenAfter(reads, shown)).as("address shown %d ms after the event", shown)
                    .isLessThanOrEqualTo(INITIAL.toMillis());
        }
    }

    @Test
    void theEarlierDoublingScheduleLeftAnAddressSetAfterAStartWaitingForHundredsOfMilliseconds() {
        // The same reads with no fast window: the schedule the LXD source had before (50 ms doubling to 2 s).
        AddressWait doubling = new AddressWait(INITIAL, Duration.ZERO, CAP, TOTAL);
        assertThat(seenAfter(reads(doubling, new Instance(400, V4), true), 400)).isEqualTo(350);
        assertThat(seenAfter(reads(defaults(), new Instance(400, V4), true), 400)).isZero();
    }

    @Test
    void aStartCostsReadsThatDependOnlyOnWhenTheAddressShows() {
        // The 200 ms a container's init takes: 5 fast reads find it, then the endpoints must stay 2 s the same
        // (reads at 50, 100, 200, 400, 800 ms after it, and the last at 2 s).
        List<Long> reads = reads(defaults(), new Instance(200, V4), true);
        assertThat(reads).containsExactly(0L, 50L, 100L, 150L, 200L, 250L, 350L, 550L, 950L, 1750L, 2200L);
        assertThat(reads(defaults(), new Instance(200, V4), true)).isEqualTo(reads);
    }

    @Test
    void aSecondFamilyThatFollowsIsSeenAndTheWaitEndsTwoSecondsAfterTheLastChange() {
        AddressWait wait = defaults();
        List<Long> reads = new ArrayList<>();
        List<List<Endpoint>> seen = new ArrayList<>();
        long now = 0;
        while (true) {
            List<Endpoint> state = now < 100 ? NONE : now < 1600 ? V4 : V4_V6;
            reads.add(now);
            seen.add(state);
            Optional<Duration> next = wait.next(state, true);
            if (next.isEmpty()) {
                break;
            }
            now += next.get().toMillis();
        }
        assertThat(seen).contains(V4_V6);
        assertThat(wait.endpoints()).isEqualTo(V4_V6);
        assertThat(seenAfter(reads, 1600)).as("the second family, read within the doubling after the first")
                .isLessThanOrEqualTo(800);
        long lastChangeRead = reads.get(seen.indexOf(V4_V6));
        assertThat(reads.get(reads.size() - 1) - lastChangeRead).isEqualTo(FAST.toMillis());
        assertThat(wait.timedOut()).isFalse();
    }

    @Test
    void withoutAnAddressTheFastReadsLastTwoSecondsThenDoubleToTheCapForAMinute() {
        AddressWait wait = defaults();
        List<Long> reads = reads(wait, new Instance(Long.MAX_VALUE, V4), true);
        assertThat(reads.stream().filter(t -> t < FAST.toMillis())).hasSize(40);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < reads.size(); i++) {
            gaps.add(reads.get(i) - reads.get(i - 1));
        }
        assertThat(gaps.subList(40, 47)).containsExactly(50L, 100L, 200L, 400L, 800L, 1600L, 2000L);
        assertThat(gaps).allMatch(gap -> gap <= CAP.toMillis());
        assertThat(reads.get(reads.size() - 1)).isEqualTo(TOTAL.toMillis());
        assertThat(wait.timedOut()).isTrue();
        assertThat(reads).as("a minute without an address").hasSizeLessThan(40 + 7 + 30);
    }

    @Test
    void aWaitNotAllowedFastReadsBacksOffAsTheDoublingScheduleDoes() {
        List<Long> denied = reads(defaults(), new Instance(400, V4), false);
        List<Long> doubling = reads(new AddressWait(INITIAL, Duration.ZERO, CAP, TOTAL), new Instance(400, V4), true);
        assertThat(denied.subList(0, 5)).containsExactly(0L, 50L, 150L, 350L, 750L).isEqualTo(doubling.subList(0, 5));
    }

    @Test
    void aFailedReadChangesNothingButTime() {
        AddressWait wait = defaults();
        assertThat(wait.next(V4, true)).contains(Duration.ofMillis(50));
        assertThat(wait.next(null, true)).contains(Duration.ofMillis(100));
        assertThat(wait.endpoints()).isEqualTo(V4);
        AddressWait before = defaults();
        assertThat(before.next(null, true)).contains(INITIAL);
        assertThat(before.wantsFast()).isTrue();
    }

    @Test
    void anAddressThatGoesAwayIsAChangeAndTheWaitEndsWithNone() {
        AddressWait wait = defaults();
        wait.next(V4, true);
        wait.next(NONE, true);
        assertThat(wait.endpoints()).isEmpty();
        Optional<Duration> next;
        do {
            next = wait.next(NONE, true);
        } while (next.isPresent());
        assertThat(wait.endpoints()).isEmpty();
        assertThat(wait.timedOut()).isFalse();
    }

    @Test
    void restartGivesFastReadsAndTheWholeBudgetAgain() {
        AddressWait wait = defaults();
        reads(wait, new Instance(Long.MAX_VALUE, V4), true);
        assertThat(wait.timedOut()).isTrue();
        wait.restart();
        assertThat(wait.timedOut()).isFalse();
        assertThat(wait.wantsFast()).isTrue();
        assertThat(seenAfter(reads(wait, new Instance(1000, V4), true), 1000)).isZero();
    }

    @Test
    void noFastWindowEndsTheWaitAtTheFirstAddress() {
        AddressWait wait = new AddressWait(INITIAL, Duration.ZERO, CAP, TOTAL);
        assertThat(wait.wantsFast()).isFalse();
        assertThat(wait.next(V4, true)).isEmpty();
        assertThat(wait.endpoints()).isEqualTo(V4);
        assertThatThrownBy(() -> new AddressWait(INITIAL, Duration.ofMillis(-1), CAP, TOTAL))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
