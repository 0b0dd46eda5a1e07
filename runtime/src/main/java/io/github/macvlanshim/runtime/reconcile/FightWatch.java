package io.github.macvlanshim.runtime.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.KernelRoute;
import io.github.macvlanshim.runtime.net.NetworkState;

/**
 * Notices another tool undoing our changes: the same thing repaired, or our route displaced by a foreign one,
 * {@value #THRESHOLD} times within {@link #WINDOW}. Each repair is logged on its own; this turns a pattern of
 * them into one warning per minute and subject, naming the tool when a displacing route's protocol tells.
 * Pure: the reconciler gives it what it saw and the time.
 */
final class FightWatch {

    static final int THRESHOLD = 3;
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final Map<Subject, Deque<Instant>> events = new HashMap<>();
    private final Map<Subject, Instant> warned = new HashMap<>();
    private final Map<Subject, Integer> protocols = new HashMap<>();

    /**
     * @param repairs what this reconcile repaired
     * @param newConflicts conflicts that appeared with this reconcile
     * @param installedBefore the wanted destinations our routes led to at the last converged reconcile
     * @param after the kernel after this reconcile, where a displacing route still is (it is left alone)
     * @return the warnings to log, none most of the time
     */
    List<String> observe(List<ReconcileReport.Repair> repairs, List<Conflict> newConflicts,
            Set<IpPrefix> installedBefore, Optional<NetworkState> after, int ourProtocol, Instant now) {
        List<Subject> keys = new ArrayList<>();
        for (ReconcileReport.Repair repair : repairs) {
            keys.add(new Subject(repair.shim(), repair.what(), repair.subject()));
        }
        for (Conflict conflict : newConflicts) {
            if (conflict.kind() != Conflict.Kind.FOREIGN_ROUTE) {
                continue;
            }
            IpPrefix destination = IpPrefix.parse(conflict.subject());
            if (!installedBefore.contains(destination)) {
                continue;
            }
            Subject key = new Subject(conflict.shim(), "route", conflict.subject());
            keys.add(key);
            after.flatMap(state -> state.routes().stream()
                    .filter(route -> route.destination().equals(destination) && route.protocol() != ourProtocol)
                    .map(KernelRoute::protocol).findFirst())
                    .ifPresent(protocol -> protocols.put(key, protocol));
        }
        List<String> warnings = new ArrayList<>();
        for (Subject key : keys) {
            Deque<Instant> times = events.computeIfAbsent(key, k -> new ArrayDeque<>());
            times.addLast(now);
            while (!times.isEmpty() && times.peekFirst().isBefore(now.minus(WINDOW))) {
                times.removeFirst();
            }
            Instant last = warned.get(key);
            if (times.size() >= THRESHOLD && (last == null || last.isBefore(now.minus(WINDOW)))) {
                warned.put(key, now);
                warnings.add(warning(key, times.size()));
            }
        }
        return warnings;
    }

    /** What was undone: a route to a destination, or a piece of a shim ("address 198.51.100.72"). */
    private record Subject(String shim, String what, String subject) {
    }

    private String warning(Subject key, int count) {
        String thing = key.what().equals("route") ? "route " + key.subject() + " via shim " + key.shim()
                : "shim " + key.shim() + " (" + key.what() + (key.subject().isEmpty() ? "" : " " + key.subject()) + ")";
        Integer protocol = protocols.get(key);
        String who = protocol == null
                ? "another tool keeps undoing it (the route's protocol does not tell which; systemd-networkd with"
                        + " ManageForeignRoutes=yes is a usual one)"
                : "another tool keeps undoing it: its route carries proto " + protocol + ", " + protocolOwner(protocol);
        return thing + " repaired or displaced " + count + " times within " + WINDOW.toMinutes() + " minute: " + who;
    }

    /** Who installs routes of a protocol number (the kernel's rtnetlink numbers, /etc/iproute2/rt_protos). */
    static String protocolOwner(int protocol) {
        return switch (protocol) {
            case 2 -> "the kernel";
            case 3 -> "boot: ip route add without proto, or a boot script";
            case 4 -> "static: systemd-networkd ([Route] sections) or an administrator";
            case 9 -> "ra: router advertisements (the kernel or systemd-networkd)";
            case 11 -> "zebra: FRRouting or Quagga";
            case 12 -> "bird: the BIRD routing daemon";
            case 16 -> "dhcp: a DHCP client (systemd-networkd, dhclient, NetworkManager)";
            case 18 -> "keepalived";
            case 42 -> "babel: a Babel routing daemon";
            case 186 -> "bgp: FRRouting's BGP daemon";
            case 187 -> "isis: FRRouting's IS-IS daemon";
            case 188 -> "ospf: FRRouting's OSPF daemon";
            case 189 -> "rip: FRRouting's RIP daemon";
            default -> "a tool of its own numbering (see /etc/iproute2/rt_protos)";
        };
    }

}
