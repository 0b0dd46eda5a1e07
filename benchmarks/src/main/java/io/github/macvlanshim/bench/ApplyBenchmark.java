package io.github.macvlanshim.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.runtime.net.Change;
import io.github.macvlanshim.runtime.net.HostNetworkException;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.IpRoute2HostNetwork;
import io.github.macvlanshim.runtime.reconcile.Plan;

/**
 * Part 1: N host routes installed on a shim, then deleted, three ways in one lab host namespace, alternated:
 * (a) the agent's way, a plan through {@link IpRoute2HostNetwork#apply} (rendering and one {@code ip -batch -});
 * (b) what shim scripts do, one {@code ip -n NS route add} process per route;
 * (c) the floor, one bare {@code ip -n NS -batch -} fed the same lines, written by the harness.
 * Routes are IPv6 /128s in 2001:db8:1::/64 (documentation space; 10,000 IPv4 /32s do not fit in the three
 * documentation /24s), {@code dev mynet proto 77 src} the host's address, exactly as the agent writes them.
 */
final class ApplyBenchmark {

    static final int PROTOCOL = 77;
    private static final String SHIM = "mynet";

    private enum Way {
        AGENT("(a) agent: plan -> IpRoute2HostNetwork.apply"),
        PER_PROCESS("(b) one `ip route add` process per route"),
        BARE_BATCH("(c) bare `ip -batch -` of the same lines");

        final String label;

        Way(String label) {
            this.label = label;
        }
    }

    private final Report report;
    /** Per-route medians (ms) of (b) install and delete at the last N where (b) ran, for extrapolation. */
    private double perProcessAddPerRoute = Double.NaN;
    private double perProcessDeletePerRoute = Double.NaN;

    ApplyBenchmark(Report report) {
        this.report = report;
    }

    /** Runs the part for each count; per-process runs only {@code perProcessReps[i]} times at {@code counts[i]}. */
    void run(int[] counts, int[] reps, int[] perProcessReps) {
        report.lines("", "## 1. Apply: N routes installed on the shim, then deleted", "");
        report.line("Same namespace, same run; the three ways alternate (the order rotates each repetition); one "
                + "unrecorded warm-up of (a) and (c) per N. Every install and delete is checked against the kernel "
                + "(route count with proto 77) outside the timed section. Times in ms, min / median / max.");
        try (Lab lab = Lab.create()) {
            String ns = lab.hostNetns();
            lab.ip(ns, "link", "add", "link", "eth0", "name", SHIM, "type", "macvlan", "mode", "bridge");
            lab.ip(ns, "link", "set", SHIM, "up");
            for (int i = 0; i < counts.length; i++) {
                measure(lab, ns, counts[i], reps[i], perProcessReps[i]);
            }
        }
    }

    private void measure(Lab lab, String ns, int n, int reps, int perProcessReps) {
        InetAddress source = IpLiterals.parse(Lab.HOST_IPV6);
        List<IpPrefix> destinations = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            destinations.add(IpPrefix.parse("2001:db8:1::" + Integer.toHexString(i) + "/128"));
        }
        List<Change> adds = new ArrayList<>();
        List<Change> deletes = new ArrayList<>();
        StringBuilder addLines = new StringBuilder();
        StringBuilder deleteLines = new StringBuilder();
        for (IpPrefix d : destinations) {
            adds.add(new Change.AddRoute(SHIM, d, Optional.of(source), "bench", false));
            deletes.add(new Change.DeleteRoute(SHIM, d, 1024));
            addLines.append("route add ").append(d).append(" dev ").append(SHIM).append(" proto ").append(PROTOCOL)
                    .append(" src ").append(Lab.HOST_IPV6).append('\n');
            deleteLines.append("route del ").append(d).append(" dev ").append(SHIM).append(" proto ").append(PROTOCOL)
                    .append(" table main metric 1024\n");
        }
        IpRoute2HostNetwork network = new IpRoute2HostNetwork(Optional.of(ns));
        Stats[] add = {new Stats(), new Stats(), new Stats()};
        Stats[] del = {new Stats(), new Stats(), new Stats()};

        for (Way way : List.of(Way.AGENT, Way.BARE_BATCH)) {
            once(lab, ns, way, n, network, adds, deletes, addLines, deleteLines, destinations, source, null, null);
        }
        for (int rep = 0; rep < reps; rep++) {
            List<Way> order = new ArrayList<>(List.of(Way.values()));
            java.util.Collections.rotate(order, rep);
            for (Way way : order) {
                if (way == Way.PER_PROCESS && rep >= perProcessReps) {
                    continue;
                }
                once(lab, ns, way, n, network, adds, deletes, addLines, deleteLines, destinations, source,
                        add[way.ordinal()], del[way.ordinal()]);
            }
        }

        report.lines("", "### N = " + String.format("%,d", n) + " (" + reps + " repetitions; (b) " + perProcessReps + ")", "",
                "| way | install | delete | install + delete (median) |",
                "| --- | --- | --- | --- |");
        for (Way way : Way.values()) {
            Stats a = add[way.ordinal()];
            Stats d = del[way.ordinal()];
            report.line("| " + way.label + " | " + a.spread() + " | " + d.spread() + " | "
                    + (a.count() == 0 ? "-" : Stats.f(a.median() + d.median())) + " |");
        }
        double agent = add[0].median() + del[0].median();
        double floor = add[2].median() + del[2].median();
        boolean extrapolated = add[1].count() == 0;
        if (!extrapolated) {
            perProcessAddPerRoute = add[1].median() / n;
            perProcessDeletePerRoute = del[1].median() / n;
        }
        if (!Double.isNaN(perProcessAddPerRoute)) {
            double perProcessAdd = extrapolated ? perProcessAddPerRoute * n : add[1].median();
            double perProcessDelete = extrapolated ? perProcessDeletePerRoute * n : del[1].median();
            double perProcess = perProcessAdd + perProcessDelete;
            if (!extrapolated) {
                report.lines("", "| ratio (medians) | install | delete | both | target |", "| --- | --- | --- | --- | --- |");
            } else {
                report.line("| (b) extrapolated, not measured: per-route medians of the smaller N times "
                        + String.format("%,d", n) + " | " + Stats.f(perProcessAdd) + " | " + Stats.f(perProcessDelete)
                        + " | " + Stats.f(perProcess) + " |");
                report.lines("", "| ratio (medians) | install | delete | both | target |", "| --- | --- | --- | --- | --- |");
            }
            report.line("| (b) per-process" + (extrapolated ? " (extrapolated)" : "") + " / (a) agent: agent is this much faster | "
                    + Stats.ratio(perProcessAdd / add[0].median()) + " | "
                    + Stats.ratio(perProcessDelete / del[0].median()) + " | " + Stats.ratio(perProcess / agent)
                    + " | >= 100x: " + (perProcess / agent >= 100 ? "met" : "MISSED") + " |");
        }
        if (Double.isNaN(perProcessAddPerRoute)) {
            report.lines("", "| ratio (medians) | install | delete | both | target |", "| --- | --- | --- | --- | --- |");
        }
        report.line("| (a) agent / (c) bare batch: agent's overhead over the floor | "
                + Stats.ratio(add[0].median() / add[2].median()) + " | "
                + Stats.ratio(del[0].median() / del[2].median()) + " | " + Stats.ratio(agent / floor)
                + " | <= 1.5x: " + (agent / floor <= 1.5 ? "met" : "MISSED") + " |");
        report.line("");
        report.line("Per route, medians: (a) " + perRoute(add[0], n) + " install / " + perRoute(del[0], n)
                + " delete; (b) " + perRoute(add[1], n) + " / " + perRoute(del[1], n) + "; (c) "
                + perRoute(add[2], n) + " / " + perRoute(del[2], n) + " (µs).");
    }

    private static String perRoute(Stats s, int n) {
        return s.count() == 0 ? "-" : String.format("%.1f", s.median() * 1000 / n);
    }

    private void once(Lab lab, String ns, Way way, int n, IpRoute2HostNetwork network, List<Change> adds,
            List<Change> deletes, CharSequence addLines, CharSequence deleteLines, List<IpPrefix> destinations,
            InetAddress source, Stats addStats, Stats deleteStats) {
        long t0 = System.nanoTime();
        switch (way) {
            case AGENT -> agent(network, new Plan(adds, List.of()));
            case PER_PROCESS -> perProcess(ns, destinations, source, true);
            case BARE_BATCH -> bareBatch(ns, addLines);
        }
        long t1 = System.nanoTime();
        requireOwnedRoutes(lab, ns, n, way + " install");
        long t2 = System.nanoTime();
        switch (way) {
            case AGENT -> agent(network, new Plan(deletes, List.of()));
            case PER_PROCESS -> perProcess(ns, destinations, source, false);
            case BARE_BATCH -> bareBatch(ns, deleteLines);
        }
        long t3 = System.nanoTime();
        requireOwnedRoutes(lab, ns, 0, way + " delete");
        if (addStats != null) {
            addStats.addNanos(t1 - t0);
            deleteStats.addNanos(t3 - t2);
        }
    }

    private static void agent(IpRoute2HostNetwork network, Plan plan) {
        try {
            network.apply(plan.changes(), PROTOCOL);
        } catch (HostNetworkException e) {
            throw new IllegalStateException("agent apply failed: " + e.getMessage(), e);
        }
    }

    private static void perProcess(String ns, List<IpPrefix> destinations, InetAddress source, boolean add) {
        String src = IpLiterals.format(source);
        for (IpPrefix d : destinations) {
            List<String> command = add
                    ? List.of("ip", "-n", ns, "route", "add", d.toString(), "dev", SHIM, "proto", "77", "src", src)
                    : List.of("ip", "-n", ns, "route", "del", d.toString(), "dev", SHIM, "proto", "77");
            run(command, null);
        }
    }

    private static void bareBatch(String ns, CharSequence lines) {
        run(List.of("ip", "-n", ns, "-batch", "-"), lines.toString());
    }

    private static void run(List<String> command, String stdin) {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            int exit = p.waitFor();
            if (exit != 0) {
                throw new IllegalStateException("'" + String.join(" ", command) + "' exited with " + exit);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run '" + String.join(" ", command) + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void requireOwnedRoutes(Lab lab, String ns, int expected, String what) {
        long count = lab.ip(ns, "-6", "route", "show", "table", "main", "proto", String.valueOf(PROTOCOL)).lines()
                .filter(l -> !l.isBlank()).count();
        if (count != expected) {
            throw new IllegalStateException(what + ": the kernel shows " + count + " owned routes, expected " + expected);
        }
    }
}
