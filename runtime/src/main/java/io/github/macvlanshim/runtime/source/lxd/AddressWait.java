package io.github.macvlanshim.runtime.source.lxd;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.github.macvlanshim.runtime.source.Endpoint;

/**
 * When to read an instance's state again while its addresses are awaited, and when that wait is over. No event
 * announces an address, so after an event the source reads the instance's state:
 * <ul>
 * <li>until an address shows: every {@code initial} during the first {@code fast} (an address the container's init
 * or a quick DHCP sets shows within moments, and its route should follow within one such read), then at delays
 * doubling from {@code initial} up to {@code cap}, until {@code total} has passed (slow DHCP);</li>
 * <li>once an address has shown: others may follow (the second family after DAD, a second NIC), so reads go on at
 * delays doubling from {@code initial} again after each change, until the endpoints stayed the same for
 * {@code fast}.</li>
 * </ul>
 * The fast reads are a privilege the caller grants per read ({@code fastAllowed}): it bounds how many instances are
 * read that often at once, so a burst of starts does not become a flood of reads. What a wait costs depends on
 * when the address shows, never on how many other instances there are.
 * <p>
 * Time is the sum of the delays handed out (the reads' own time is not counted). Pure and not thread-safe: one per
 * wait.
 */
final class AddressWait {

    private final Duration initial;
    private final Duration fast;
    private final Duration total;
    private final Backoff slow;
    private final Backoff settle;
    private Duration elapsed = Duration.ZERO;
    /** What the reads found once an address showed; null before. */
    private List<Endpoint> seen;
    private Duration unchangedFor = Duration.ZERO;
    private boolean timedOut;

    /**
     * @param initial the delay between fast reads, and the first of each doubling series
     * @param fast how long after the start reads come every {@code initial}; also how long the endpoints must stay
     *        the same before the wait ends ({@link Duration#ZERO}: no fast reads, and the first address ends it)
     * @param cap the longest delay
     * @param total how long to wait for a first address
     */
    AddressWait(Duration initial, Duration fast, Duration cap, Duration total) {
        if (fast.isNegative()) {
            throw new IllegalArgumentException("fast window " + fast + " must not be negative");
        }
        this.initial = initial;
        this.fast = fast;
        this.total = total;
        this.slow = Backoff.unbounded(initial, cap);
        this.settle = Backoff.unbounded(initial, cap);
    }

    /** Starts over, as after a new event about the instance: fast reads again, the whole budget. */
    void restart() {
        elapsed = Duration.ZERO;
        slow.reset();
        settle.reset();
        seen = null;
        unchangedFor = Duration.ZERO;
        timedOut = false;
    }

    /** Whether the next read would come after {@code initial} if allowed: no address yet, inside the fast window. */
    boolean wantsFast() {
        return seen == null && !timedOut && elapsed.compareTo(fast) < 0;
    }

    /** What the reads found since an address showed (empty before). */
    List<Endpoint> endpoints() {
        return seen == null ? List.of() : seen;
    }

    /** Whether the wait ended because no address showed within {@code total}. */
    boolean timedOut() {
        return timedOut;
    }

    /**
     * After a read: the delay before the next one, or empty when the wait is over.
     *
     * @param found the instance's endpoints that read found (empty: no address yet); null when the read failed,
     *        which changes nothing but time
     * @param fastAllowed whether this instance may be read again after {@code initial} while it {@link #wantsFast()}
     */
    Optional<Duration> next(List<Endpoint> found, boolean fastAllowed) {
        if (found != null && (seen == null ? !found.isEmpty() : !found.equals(seen))) {
            seen = List.copyOf(found);
            settle.reset();
            unchangedFor = Duration.ZERO;
        }
        if (seen != null) {
            Duration left = fast.minus(unchangedFor);
            if (left.isNegative() || left.isZero()) {
                return Optional.empty();
            }
            Duration delay = min(settle.next(), left);
            unchangedFor = unchangedFor.plus(delay);
            return Optional.of(delay);
        }
        Duration left = total.minus(elapsed);
        if (left.isNegative() || left.isZero()) {
            timedOut = true;
            return Optional.empty();
        }
        Duration delay = min(wantsFast() && fastAllowed ? initial : slow.next(), left);
        elapsed = elapsed.plus(delay);
        return Optional.of(delay);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
