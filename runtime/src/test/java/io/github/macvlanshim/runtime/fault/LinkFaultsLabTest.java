package io.github.macvlanshim.runtime.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.EngineLab;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;

/**
 * Faults on the links and routes under a running engine: the parent set down and up, every owned route flushed at
 * once (what systemd-networkd's ManageForeignRoutes does to routes it did not make). The shim deleted is in
 * {@code EngineLabTest}.
 */
@Tag("lab")
class LinkFaultsLabTest {

    private static final String C1_V4 = EngineLab.C1_V4;
    private static final String C1_V6 = EngineLab.C1_V6;
    private static final String C2_V4 = EngineLab.C2_V4;
    private static final String C2_V6 = EngineLab.C2_V6;
    private static final String SHIM_V4 = "198.51.100.72";
    private static final int EXTRA_ROUTES = 100;

    @RegisterExtension
    final EngineLab fixture = new EngineLab();
    private final Lab lab = fixture.lab();
    private final String host = fixture.host();
    private final String c1 = fixture.c1();
    private Engine engine;

    @Test
    void theParentSetDownAndUpGetsRoutesShimAndReachabilityBack() {
        // The host's own IPv6 address on eth0 is the host's business; an admin-down would drop it, and whatever
        // configured it (networkd, ifupdown) would put it back. Keeping it stands in for that.
        lab.exec(host, "sysctl", "-q", "-w", "net.ipv6.conf.eth0.keep_addr_on_down=1");
        engine = fixture.start(settings(Optional.of(SHIM_V4), List.of()));
        List<String> wanted = fixture.ownedRoutes();
        assertThat(wanted).hasSize(4);
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(3))).isTrue();

        lab.ip(host, "link", "set", "eth0", "down");
        // While the parent is down nothing can be reached through it; what the kernel keeps is its business.
        assertThat(Wait.until(Duration.ofSeconds(2), () -> !lab.ping(host, C1_V4))).isTrue();
        System.out.printf("parent down: owned routes the kernel still shows: %s; shim: %s%n", fixture.ownedRoutes(), shimLine());

        long up = System.nanoTime();
        lab.ip(host, "link", "set", "eth0", "up");

        assertThat(Wait.until(Duration.ofSeconds(10), () -> fixture.ownedRoutes().containsAll(wanted) && fixture.ownedRoutes().size() == 4
                && shimLine().contains(",UP") && shimLine().contains("LOWER_UP")
                && lab.ip(host, "-o", "address", "show", "dev", "mynet").contains(SHIM_V4 + "/32")))
                .as("routes, shim up and its address after the parent is up").isTrue();
        long restored = (System.nanoTime() - up) / 1_000_000;
        assertThat(lab.awaitPing(host, C1_V4, Duration.ofSeconds(5))).as("host -> c1, IPv4").isTrue();
        assertThat(lab.awaitPing(host, C1_V6, Duration.ofSeconds(5))).as("host -> c1, IPv6").isTrue();
        assertThat(lab.awaitPing(c1, Lab.HOST_IPV6, Duration.ofSeconds(5))).as("c1 -> host, IPv6 (proxy NDP)").isTrue();
        System.out.printf("parent up: routes and shim state restored in %d ms, pings answered %d ms after up%n", restored,
                (System.nanoTime() - up) / 1_000_000);
        assertThat(engine.reconcile("test").outcome()).isEqualTo(ReconcileStatus.Outcome.CONVERGED);
    }

    @Test
    void everyOwnedRouteFlushedAtOnceIsBackWithinOneSecond() {
        List<String> extra = IntStream.range(0, EXTRA_ROUTES).mapToObj(i -> "2001:db8:100:1::" + Integer.toHexString(i + 1))
                .toList();
        engine = fixture.start(settings(Optional.empty(), extra));
        List<String> wanted = fixture.ownedRoutes();
        assertThat(wanted).hasSize(4 + EXTRA_ROUTES);
        String foreignBefore = foreignRoutes();

        long flushed = System.nanoTime();
        lab.ip(host, "route", "flush", "proto", "77");
        lab.ip(host, "-6", "route", "flush", "proto", "77");

        assertThat(Wait.until(Duration.ofSeconds(1), () -> {
            List<String> now = fixture.ownedRoutes();
            return now.size() == wanted.size() && now.containsAll(wanted);
        })).as("all %d owned routes back within 1 s", wanted.size()).isTrue();
        System.out.printf("%d owned routes flushed, all back in %d ms%n", wanted.size(),
                (System.nanoTime() - flushed) / 1_000_000);
        assertThat(foreignRoutes()).isEqualTo(foreignBefore);
        assertThat(lab.awaitPing(host, C2_V4, Duration.ofSeconds(3))).isTrue();
        assertThat(lab.awaitPing(host, C1_V6, Duration.ofSeconds(3))).isTrue();
    }

    private EngineSettings settings(Optional<String> shimV4, List<String> extra) {
        List<IpPrefix> statics = new ArrayList<>();
        List.of(C1_V4, C1_V6, C2_V4, C2_V6).forEach(a -> statics.add(IpPrefix.parse(a)));
        extra.forEach(a -> statics.add(IpPrefix.parse(a)));
        ShimSpec shim = new ShimSpec("mynet", "eth0", shimV4.map(io.github.macvlanshim.runtime.net.IpLiterals::parseIpv4Only),
                Optional.empty(), statics);
        return fixture.settings(shim, OnStop.KEEP);
    }

    private String shimLine() {
        return lab.ip(host, "-o", "link", "show", "dev", "mynet");
    }

    private String foreignRoutes() {
        return (lab.ip(host, "-4", "route", "show", "table", "main") + lab.ip(host, "-6", "route", "show", "table", "main"))
                .lines().filter(line -> !line.contains("proto 77")).reduce("", (a, b) -> a + b + "\n");
    }
}
