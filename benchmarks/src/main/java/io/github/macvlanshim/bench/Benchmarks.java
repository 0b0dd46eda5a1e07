package io.github.macvlanshim.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LabDir;

/**
 * Runs the benchmarks of docs/benchmarks.md and writes a Markdown report. Everything happens in lab network
 * namespaces with documentation addresses; each part removes what it made, also on failure.
 * <p>
 * System properties: {@code bench.parts} (all, or a comma list of apply, plan, lxd, scale), {@code bench.report}
 * (report file), {@code bench.agent} (the packaged agent's quarkus-app directory), {@code bench.native} (the native
 * executable, measured beside the JVM build in the footprint part; docs/native.md).
 */
public final class Benchmarks {

    static final String COMMAND = "mvn -B -Pbenchmarks -pl benchmarks -am verify";

    private Benchmarks() {
    }

    public static void main(String[] args) {
        List<String> parts = Arrays.asList(System.getProperty("bench.parts", "all").split(","));
        boolean all = parts.contains("all");
        Report report = new Report(Path.of(System.getProperty("bench.report", "benchmarks/target/benchmarks.md")));
        LabDir.sweepStale();
        Lab.sweepStale();
        long start = System.nanoTime();
        report.lines("# Benchmark run " + Instant.now(), "", "Command: `" + COMMAND
                + (all ? "" : " -Dbench.parts=" + String.join(",", parts)) + "`", "");
        Machine.describe(report);
        int failures = 0;
        if (all || parts.contains("apply")) {
            failures += part(report, "apply", () -> new ApplyBenchmark(report).run(
                    new int[] {1_000, 10_000}, new int[] {7, 5}, new int[] {7, Integer.getInteger("bench.perProcess10k", 0)}));
        }
        if (all || parts.contains("plan")) {
            failures += part(report, "plan", () -> new PlanPart(report).run(
                    Integer.getInteger("bench.jmh.forks", 3), Integer.getInteger("bench.jmh.warmups", 3),
                    Integer.getInteger("bench.jmh.iterations", 5)));
        }
        if (all || parts.contains("lxd")) {
            String nativeAgent = System.getProperty("bench.native", "").strip();
            failures += part(report, "lxd", () -> new LxdParts(report, Path.of(System.getProperty("bench.agent",
                    "agent/target/quarkus-app")), nativeAgent.isEmpty() ? null : Path.of(nativeAgent)).run());
        }
        if (all || parts.contains("scale")) {
            failures += part(report, "scale", () -> new ScalePart(report).run(
                    java.util.stream.Stream.of(System.getProperty("bench.scaleSizes", "10,50,150,300").split(","))
                            .mapToInt(Integer::parseInt).toArray(),
                    Duration.ofMinutes(Integer.getInteger("bench.scaleMinutes", 10))));
        }
        report.lines("", String.format("Whole run: %.0f s.", (System.nanoTime() - start) / 1e9));
        System.out.println("Report: " + report.file().toAbsolutePath());
        System.exit(failures == 0 ? 0 : 1);
    }

    private static int part(Report report, String name, Runnable body) {
        long t0 = System.nanoTime();
        try {
            body.run();
            report.line(String.format("%n(part %s took %.0f s)", name, (System.nanoTime() - t0) / 1e9));
            return 0;
        } catch (RuntimeException e) {
            e.printStackTrace();
            report.lines("", "**Part " + name + " failed:** " + e);
            return 1;
        }
    }
}
