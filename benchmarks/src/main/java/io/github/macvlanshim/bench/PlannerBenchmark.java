package io.github.macvlanshim.bench;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import io.github.macvlanshim.runtime.net.Change;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.KernelRoute;
import io.github.macvlanshim.runtime.net.Link;
import io.github.macvlanshim.runtime.net.LinkAddress;
import io.github.macvlanshim.runtime.net.NetworkState;
import io.github.macvlanshim.runtime.net.ProxyNeighbour;
import io.github.macvlanshim.runtime.reconcile.DesiredState;
import io.github.macvlanshim.runtime.reconcile.HostRoute;
import io.github.macvlanshim.runtime.reconcile.Plan;
import io.github.macvlanshim.runtime.reconcile.Planner;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;

/**
 * Part 2: {@link Planner#plan} on 10,000 desired and 10,000 actual routes with 1% drift (100 desired routes
 * missing from the kernel, 100 owned routes nobody wants), against a floor: the bare hash diff of the same
 * records (which destinations are missing, which owned ones are stray), with none of the planner's rules.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PlannerBenchmark {

    static final int ROUTES = 10_000;
    static final int DRIFT = 100;
    private static final String SHIM = "mynet";

    private Planner planner;
    private DesiredState desired;
    private NetworkState actual;

    @Setup
    public void setUp() {
        InetAddress host4 = IpLiterals.parse("198.51.100.62");
        InetAddress host6 = IpLiterals.parse("2001:db8:100::62");
        Link eth0 = new Link("eth0", 2, Optional.of("veth"), Optional.empty(), Optional.empty(), 1500, true,
                List.of(new LinkAddress(host4, 24, LinkAddress.Scope.GLOBAL, false),
                        new LinkAddress(host6, 64, LinkAddress.Scope.GLOBAL, false)), false, false);
        Link shim = new Link(SHIM, 3, Optional.of("macvlan"), Optional.of("bridge"), Optional.of("eth0"), 1500, true,
                List.of(), true, true);
        List<HostRoute> wanted = new ArrayList<>();
        List<KernelRoute> present = new ArrayList<>();
        present.add(new KernelRoute(IpPrefix.parse("198.51.100.0/24"), Optional.of("eth0"), Optional.empty(),
                Optional.of(host4), 2, 0));
        present.add(new KernelRoute(IpPrefix.parse("0.0.0.0/0"), Optional.of("eth0"),
                Optional.of(IpLiterals.parse("198.51.100.1")), Optional.empty(), 3, 0));
        present.add(new KernelRoute(IpPrefix.parse("2001:db8:100::/64"), Optional.of("eth0"), Optional.empty(),
                Optional.empty(), 2, 256));
        for (int i = 1; i <= ROUTES; i++) {
            IpPrefix destination = IpPrefix.parse("2001:db8:1::" + Integer.toHexString(i) + "/128");
            wanted.add(new HostRoute(destination, SHIM, "lxd default/c" + i + " eth0"));
            if (i > DRIFT) {
                present.add(new KernelRoute(destination, Optional.of(SHIM), Optional.empty(), Optional.of(host6), 77, 1024));
            }
        }
        for (int i = 1; i <= DRIFT; i++) {
            present.add(new KernelRoute(IpPrefix.parse("2001:db8:2::" + Integer.toHexString(i) + "/128"),
                    Optional.of(SHIM), Optional.empty(), Optional.of(host6), 77, 1024));
        }
        planner = new Planner(77);
        desired = new DesiredState(List.of(new ShimSpec(SHIM, "eth0", Optional.empty(), Optional.empty(), List.of())),
                wanted, true);
        actual = NetworkState.of(List.of(eth0, shim), present,
                Set.of(new ProxyNeighbour((Inet6Address) host6, SHIM)));

        Plan plan = plan();
        long addCount = plan.changes().stream().filter(Change.AddRoute.class::isInstance).count();
        long deleteCount = plan.changes().stream().filter(Change.DeleteRoute.class::isInstance).count();
        if (addCount != DRIFT || deleteCount != DRIFT || plan.changes().size() != 2 * DRIFT || !plan.conflicts().isEmpty()) {
            throw new IllegalStateException("the drifted state should plan " + DRIFT + " adds and " + DRIFT
                    + " deletes and nothing else; got " + plan.changes().size() + " changes, " + addCount + " adds, "
                    + deleteCount + " deletes, conflicts " + plan.conflicts());
        }
        if (floorDiff().size() != 2 * DRIFT) {
            throw new IllegalStateException("the floor diff should find " + 2 * DRIFT + " differences");
        }
    }

    @Benchmark
    public Plan plan() {
        return planner.plan(desired, actual);
    }

    /** The least any diff must do: index the kernel's routes, look up each wanted one, find the stray owned ones. */
    @Benchmark
    public List<Object> floorDiff() {
        Map<IpPrefix, KernelRoute> byDestination = new HashMap<>();
        for (KernelRoute route : actual.routes()) {
            byDestination.put(route.destination(), route);
        }
        List<Object> differences = new ArrayList<>();
        Set<IpPrefix> wanted = new HashSet<>();
        for (HostRoute route : desired.routes()) {
            wanted.add(route.destination());
            if (byDestination.get(route.destination()) == null) {
                differences.add(route);
            }
        }
        for (KernelRoute route : actual.routes()) {
            if (route.protocol() == 77 && !wanted.contains(route.destination())) {
                differences.add(route);
            }
        }
        return differences;
    }
}
