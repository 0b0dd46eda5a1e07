package io.github.macvlanshim.bench;

import java.util.Collection;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Part 2: runs {@link PlannerBenchmark} through JMH with the GC profiler and reports it. */
final class PlanPart {

    private final Report report;

    PlanPart(Report report) {
        this.report = report;
    }

    void run(int forks, int warmups, int iterations) {
        Options options = new OptionsBuilder()
                .include(PlannerBenchmark.class.getName() + "\\.")
                .forks(forks)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class)
                .jvmArgs("-Xmx1g")
                .build();
        Collection<RunResult> results;
        try {
            results = new Runner(options).run();
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH failed: " + e.getMessage(), e);
        }
        RunResult plan = find(results, "plan");
        RunResult floor = find(results, "floorDiff");
        report.lines("", "## 2. Plan: Planner.plan on 10,000 desired and 10,000 actual routes, 1% drift (JMH)", "",
                "JMH " + forks + " forks x " + warmups + " warm-up x " + iterations + " measurement iterations of 1 s, "
                        + "average time, `-prof gc`, forks with -Xmx1g. Drift: 100 wanted routes missing, 100 owned "
                        + "routes nobody wants (the plan is checked to be exactly 100 adds and 100 deletes). Floor: the "
                        + "bare hash diff of the same records (index kernel routes, look up each wanted one, list stray "
                        + "owned ones), with none of the planner's rules.",
                "",
                "| benchmark | ms/op (mean ± 99.9% CI) | min / median / max over iterations (ms) | allocated per op (gc.alloc.rate.norm) |",
                "| --- | --- | --- | --- |");
        for (RunResult r : new RunResult[] {plan, floor}) {
            Result<?> primary = r.getPrimaryResult();
            var s = primary.getStatistics();
            report.line("| " + r.getParams().getBenchmark().replaceAll(".*\\.", "") + " | "
                    + String.format("%.3f ± %.3f", primary.getScore(), primary.getScoreError()) + " | "
                    + String.format("%.3f / %.3f / %.3f", s.getMin(), s.getPercentile(50), s.getMax()) + " | "
                    + allocation(r) + " |");
        }
        double ms = plan.getPrimaryResult().getScore();
        report.lines("",
                "Ratio plan / floor diff: " + Stats.ratio(ms / floor.getPrimaryResult().getScore())
                        + " in time, " + Stats.ratio(bytes(plan) / bytes(floor)) + " in allocation. Target under 10 ms per plan: "
                        + (ms < 10 ? "met (" + Stats.ratio(10 / ms) + " under)" : "MISSED by " + String.format("%.1f ms", ms - 10)) + ".");
    }

    private static RunResult find(Collection<RunResult> results, String method) {
        return results.stream().filter(r -> r.getParams().getBenchmark().endsWith("." + method)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no JMH result for " + method));
    }

    private static double bytes(RunResult r) {
        Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
        return alloc == null ? Double.NaN : alloc.getScore();
    }

    private static String allocation(RunResult r) {
        double b = bytes(r);
        return Double.isNaN(b) ? "n/a" : String.format("%.2f MB/op (%,.0f B)", b / 1e6, b);
    }
}
