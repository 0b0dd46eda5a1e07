package io.github.macvlanshim.runtime.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.KernelRoute;
import io.github.macvlanshim.runtime.net.NetworkState;
import io.github.macvlanshim.runtime.reconcile.ReconcileReport.Repair;

class FightWatchTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String C1 = "198.51.100.20/32";
    private static final Repair ROUTE = new Repair("mynet", "route", C1);

    private final FightWatch watch = new FightWatch();

    private List<String> repairAt(int seconds) {
        return watch.observe(List.of(ROUTE), List.of(), Set.of(), Optional.empty(), 77, T0.plusSeconds(seconds));
    }

    @Test
    void theThirdRepairOfOneRouteWithinAMinuteIsOneWarningAndTheFourthIsQuiet() {
        assertThat(repairAt(0)).isEmpty();
        assertThat(repairAt(10)).isEmpty();
        assertThat(repairAt(20)).singleElement().asString()
                .startsWith("route 198.51.100.20/32 via shim mynet repaired or displaced 3 times within 1 minute: "
                        + "another tool keeps undoing it");
        assertThat(repairAt(30)).as("one warning per minute").isEmpty();
    }

    @Test
    void repairsSpreadOverMoreThanAMinuteAreNoFight() {
        assertThat(repairAt(0)).isEmpty();
        assertThat(repairAt(40)).isEmpty();
        assertThat(repairAt(90)).isEmpty();
        assertThat(repairAt(125)).isEmpty();
    }

    @Test
    void ourRouteDisplacedByAStaticRouteNamesSystemdNetworkd() {
        Conflict displaced = new Conflict("mynet", Conflict.Kind.FOREIGN_ROUTE, C1, "route ... is not ours");
        NetworkState after = NetworkState.of(List.of(), List.of(new KernelRoute(IpPrefix.parse(C1), Optional.of("eth0"),
                Optional.empty(), Optional.empty(), 4, 0)), Set.of());
        Set<IpPrefix> installed = Set.of(IpPrefix.parse(C1));
        List<String> warnings = List.of();
        for (int i = 0; i < FightWatch.THRESHOLD; i++) {
            warnings = watch.observe(List.of(), List.of(displaced), installed, Optional.of(after), 77,
                    T0.plus(Duration.ofSeconds(i)));
        }
        assertThat(warnings).singleElement().asString()
                .contains("its route carries proto 4, static: systemd-networkd ([Route] sections) or an administrator");
    }

    @Test
    void aForeignRouteToADestinationWeNeverHadIsNoFight() {
        Conflict conflict = new Conflict("mynet", Conflict.Kind.FOREIGN_ROUTE, C1, "route ... is not ours");
        for (int i = 0; i < 5; i++) {
            assertThat(watch.observe(List.of(), List.of(conflict), Set.of(), Optional.empty(), 77, T0.plusSeconds(i)))
                    .isEmpty();
        }
    }
}
