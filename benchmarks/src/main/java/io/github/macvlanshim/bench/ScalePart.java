package io.github.macvlanshim.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.macvlanshim.lab.Cmd;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LxdDaemon;
import io.github.macvlanshim.lab.UnixSocketProxy;
import io.github.macvlanshim.lab.Wait;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.IpRoute2HostNetwork;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;
import io.github.macvlanshim.runtime.source.lxd.LxdInstanceSource;

/**
 * Part 6: what an event costs as the number of running instances grows. One real LXD daemon, one engine whose LXD
 * source talks to it through a counting proxy on the socket ({@link UnixSocketProxy}), N running containers; per N
 * the requests and LXD CPU of a container start, a deletion and kernel events, the repair time and the reaction
 * time. The targets are ratios across N in the same run.
 */
final class ScalePart {

    private static final int STARTS = Integer.getInteger("bench.scaleStarts", 20);
    private static final int REPAIRS = Integer.getInteger("bench.scaleRepairs", 25);
    private static final int SHIM_DOWNS = 5;
    private static final Duration QUIET = Duration.ofMillis(1500);
    private static final Pattern CPU = Pattern.compile("^\\d+ \\(.*\\) \\S+ (?:\\S+ ){10}(\\d+) (\\d+)");

    private final Report report;
    private Lab lab;
    private LxdDaemon lxd;
    private String ns;
    private UnixSocketProxy proxy;
    private RouteWatcher watcher;
    private final List<String> running = new ArrayList<>();

    /** One N's figures. */
    private record Row(int n, double listingMs, double listingCpuMs, Stats startRequests, Stats startBeforeAddress,
            Stats startAfterAddress, Stats startListings,
            Stats startCpu, Stats deleteRequests, Stats routeDeletedRequests, Stats shimDownRequests, Stats repair,
            Stats reaction, Stats nsenter) {
    }

    ScalePart(Report report) {
        this.report = report;
    }

    void run(int[] sizes, Duration budget) {
        long t0 = System.nanoTime();
        lab = Lab.create();
        List<Row> rows = new ArrayList<>();
        try {
            ns = lab.hostNetns();
            lxd = LxdDaemon.start(ns);
            proxy = UnixSocketProxy.start(lxd.dir().resolve("counting.socket"), lxd.socket());
            watcher = RouteWatcher.start(ns);
            for (int n : sizes) {
                if (!rows.isEmpty() && System.nanoTime() - t0 > budget.toNanos()) {
                    report.line("N=" + n + " skipped: the part's budget of " + budget.toMinutes() + " min is spent.");
                    break;
                }
                grow(n);
                rows.add(measure(n));
            }
        } finally {
            if (watcher != null) {
                watcher.close();
            }
            if (proxy != null) {
                proxy.close();
            }
            try {
                if (lxd != null) {
                    lxd.close();
                }
            } finally {
                lab.close();
            }
        }
        write(rows);
    }

    private Row measure(int n) {
        long before = cpuMillis();
        long started = System.nanoTime();
        lxd.query("/1.0/instances?recursion=2&all-projects=true");
        double listingMs = (System.nanoTime() - started) / 1e6;
        double listingCpu = cpuMillis() - before;

        Stats startRequests = new Stats();
        Stats startBeforeAddress = new Stats();
        Stats startAfterAddress = new Stats();
        Stats startListings = new Stats();
        Stats startCpu = new Stats();
        Stats deleteRequests = new Stats();
        Stats routeDeleted = new Stats();
        Stats shimDown = new Stats();
        Stats repair = new Stats();
        Stats reaction = new Stats();
        Stats nsenter = new Stats();
        try (Engine engine = engine()) {
            awaitRoutes(n);
            quiet();
            List<String> extra = new ArrayList<>();
            for (int i = 0; i < STARTS; i++) {
                String name = "x" + i;
                String address = "203.0.113." + (200 + i);
                int requests = proxy.requests().size();
                long cpu = cpuMillis();
                lxd.launch(name);
                extra.add(name);
                String pid = initPid(name);
                // The clock starts as the command that sets the address starts: not before the look-up of the PID.
                long set = System.nanoTime();
                int beforeAddress = proxy.requests().size();
                setAddress(pid, address + "/24");
                nsenter.addNanos(System.nanoTime() - set);
                long routed = watcher.await(address, true, set, Duration.ofSeconds(10));
                if (routed > 0) {
                    reaction.addNanos(routed - set);
                }
                quiet();
                List<String> made = proxy.requests().subList(requests, proxy.requests().size());
                startRequests.add(made.size());
                startBeforeAddress.add(beforeAddress - requests);
                startAfterAddress.add(made.size() - (beforeAddress - requests));
                startListings.add(made.stream().filter(ScalePart::isListing).count());
                startCpu.add(cpuMillis() - cpu);
            }
            for (String name : extra) {
                int requests = proxy.requests().size();
                lxd.deleteInstance(name, true);
                quiet();
                deleteRequests.add(proxy.requests().size() - requests);
            }
            for (int i = 0; i < REPAIRS; i++) {
                String address = address(1 + i % n);
                int requests = proxy.requests().size();
                long deleted = System.nanoTime();
                lab.ip(ns, "route", "del", address + "/32", "dev", "mynet", "proto", "77");
                long back = watcher.await(address, true, deleted, Duration.ofSeconds(10));
                if (back > 0) {
                    repair.addNanos(back - deleted);
                }
                Wait.until(Duration.ofMillis(300), () -> false);
                routeDeleted.add(proxy.requests().size() - requests);
            }
            for (int i = 0; i < SHIM_DOWNS; i++) {
                int requests = proxy.requests().size();
                lab.ip(ns, "link", "set", "mynet", "down");
                Wait.until(Duration.ofSeconds(5), () -> lab.ip(ns, "-o", "link", "show", "mynet").contains(",UP"));
                Wait.until(Duration.ofMillis(300), () -> false);
                shimDown.add(proxy.requests().size() - requests);
            }
        }
        return new Row(n, listingMs, listingCpu, startRequests, startBeforeAddress, startAfterAddress, startListings, startCpu, deleteRequests, routeDeleted,
                shimDown, repair, reaction, nsenter);
    }

    private void write(List<Row> rows) {
        report.lines("", "## 6. Scale: what an event costs as instances grow (real LXD)", "",
                "N running busybox containers on the macvlan profile, each with one IPv4 address; one engine whose LXD "
                        + "source reaches the daemon through a counting proxy on its socket (every HTTP request line "
                        + "counted, by path). Per N: one plain listing (`GET /1.0/instances?recursion=2`, what every reconcile "
                        + "used to cost) and the daemon's CPU for it (utime+stime from /proc); " + STARTS + " container starts "
                        + "(launch, then the container's init PID read from the API and its address set with `nsenter -t PID -n ip "
                        + "address add`; reaction = from that command's start to the kernel announcing the route; requests and "
                        + "LXD CPU until 1.5 s of quiet; the CPU includes LXD starting the container itself), their deletions, " + REPAIRS + " owned routes deleted with `ip route "
                        + "del` (repair = the kernel announcing the route back) and " + SHIM_DOWNS + " times the shim set down.",
                "", "| N | one listing (ms / LXD CPU ms) | requests per start (median / max; of them listings) | of them before the address was set (median / max) | LXD CPU per start (ms, median) | requests per deletion (median / max) | requests per route deleted / per shim down (max) | repair p50 / p95 / p99 (ms) | reaction p50 / p95 / p99 (ms) | `nsenter ... ip address add` p50 (ms) |",
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Row r : rows) {
            report.line("| " + r.n() + " | " + Stats.f(r.listingMs()) + " / " + Stats.f(r.listingCpuMs()) + " | "
                    + Stats.f(r.startRequests().median()) + " / " + Stats.f(r.startRequests().max()) + "; "
                    + Stats.f(r.startListings().max()) + " | " + Stats.f(r.startBeforeAddress().median()) + " / "
                    + Stats.f(r.startBeforeAddress().max()) + " | " + Stats.f(r.startCpu().median()) + " | "
                    + Stats.f(r.deleteRequests().median()) + " / " + Stats.f(r.deleteRequests().max()) + " | "
                    + Stats.f(r.routeDeletedRequests().max()) + " / " + Stats.f(r.shimDownRequests().max()) + " | "
                    + r.repair().percentiles() + " | " + r.reaction().percentiles() + " | "
                    + Stats.f(r.nsenter().median()) + " |");
        }
        if (rows.isEmpty()) {
            return;
        }
        Row small = rows.get(0);
        Row large = rows.stream().filter(r -> r.n() == 150).findFirst().orElse(rows.get(rows.size() - 1));
        double kernelRequests = rows.stream().mapToDouble(r -> Math.max(r.routeDeletedRequests().max(),
                r.shimDownRequests().max())).max().orElse(0);
        double startRatio = large.startRequests().median() / small.startRequests().median();
        // The reads before the address is set are the source waiting for the container (one per 50 ms, however many
        // instances run); what the source spends once the address is there is what must not grow with N.
        double afterAddressRatio = large.startAfterAddress().median() / small.startAfterAddress().median();
        double listingsPerStart = rows.stream().mapToDouble(r -> r.startListings().max()).max().orElse(0);
        double repairRatio = large.repair().percentile(99) / small.repair().percentile(99);
        report.lines("", "| target | measured | |", "| --- | --- | --- |",
                "| kernel events cost 0 source requests | max " + Stats.f(kernelRequests) + " | " + met(kernelRequests == 0) + " |",
                "| a start costs a constant number of requests, no listing | N=" + large.n() + " / N=" + small.n() + ": "
                        + Stats.ratio(startRatio) + " in all, " + Stats.ratio(afterAddressRatio) + " from the address set on; "
                        + "listings per start: max " + Stats.f(listingsPerStart) + " | "
                        + met(afterAddressRatio <= 1.0 && listingsPerStart == 0) + " |",
                "| repair p99 at N=" + large.n() + " within 1.5x of N=" + small.n() + " and under 100 ms | "
                        + Stats.ratio(repairRatio) + ", " + Stats.f(large.repair().percentile(99)) + " ms | "
                        + met(repairRatio <= 1.5 && large.repair().percentile(99) < 100) + " |",
                "| reaction p99 under 100 ms at N=" + large.n() + " | " + Stats.f(large.reaction().percentile(99)) + " ms | "
                        + met(large.reaction().percentile(99) < 100) + " |");
    }

    private static String met(boolean met) {
        return met ? "met" : "MISSED";
    }

    private static boolean isListing(String path) {
        return path.startsWith("/1.0/instances?");
    }

    private Engine engine() {
        EngineSettings settings = new EngineSettings(List.of(new ShimSpec("mynet", "eth0", Optional.empty(),
                Optional.empty(), List.of())), Duration.ofSeconds(30), 77, OnStop.REMOVE, false, Optional.of(ns));
        return Engine.start(settings, new IpRoute2HostNetwork(settings.netns()),
                List.of(LxdInstanceSource.at(proxy.socket())), report -> {
                });
    }

    /** Runs containers until {@code n} are running, each with its address set from inside. */
    private void grow(int n) {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = running.size() + 1; i <= n; i++) {
                String name = "s" + i;
                String address = address(i);
                running.add(name);
                done.add(pool.submit(() -> {
                    Cmd.run(Duration.ofMinutes(5), lxd.env(), List.of("lxc", "launch", LxdDaemon.IMAGE, name,
                            "--profile", "default", "--profile", LxdDaemon.MACVLAN_PROFILE));
                    setAddressFromInside(name, address + "/24");
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get(5, TimeUnit.MINUTES);
                } catch (Exception e) {
                    throw new IllegalStateException("growing to " + n + " containers failed: " + e, e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void awaitRoutes(int n) {
        if (!Wait.until(Duration.ofSeconds(60), () -> lab.routesWithProtocol(ns, 77).size() >= n)) {
            throw new IllegalStateException("only " + lab.routesWithProtocol(ns, 77).size() + " of " + n + " routed");
        }
    }

    /** Waits until no request went through the proxy for {@link #QUIET}. */
    private void quiet() {
        int last = -1;
        while (last != proxy.requests().size()) {
            last = proxy.requests().size();
            Wait.until(QUIET, () -> false);
        }
    }

    /** 198.51.100.10-199, then 192.0.2.1-254: documentation addresses for up to 444 containers. */
    private static String address(int i) {
        return i <= 190 ? "198.51.100." + (9 + i) : "192.0.2." + (i - 190);
    }

    /** The daemon's CPU so far (user + system), from /proc. */
    private long cpuMillis() {
        long pid = lxd.pid().orElseThrow();
        try {
            Matcher m = CPU.matcher(Files.readString(Path.of("/proc/" + pid + "/stat")));
            if (!m.find()) {
                throw new IllegalStateException("cannot read the CPU of LXD " + pid);
            }
            return (Long.parseLong(m.group(1)) + Long.parseLong(m.group(2))) * 10;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void setAddressFromInside(String name, String cidr) {
        setAddress(initPid(name), cidr);
    }

    /** The container's init PID, from the API. */
    private String initPid(String name) {
        String state = lxd.query("/1.0/instances/" + name + "/state");
        Matcher pid = Pattern.compile("\"pid\":\\s*(\\d+)").matcher(state);
        if (!pid.find() || pid.group(1).equals("0")) {
            throw new IllegalStateException(name + " has no init PID: " + state);
        }
        return pid.group(1);
    }

    /** Sets the address inside the network namespace of {@code pid}, as the container's own init would. */
    private static void setAddress(String pid, String cidr) {
        Cmd.run("nsenter", "-t", pid, "-n", "ip", "address", "add", cidr, "dev", "eth0");
    }
}
