package io.github.macvlanshim.runtime.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.github.macvlanshim.runtime.source.lxd.ProblemLog;

/**
 * A seeded fuzz campaign over {@link JsonMutator}: case {@code i} of a run at {@code offset} has the seed
 * {@code fuzz.seed + offset + i}, so a failure names its seed and {@code -Dfuzz.seed=N -Dfuzz.cases=1} replays
 * it. Whatever escapes a case fails the run naming that seed, and every line the case reports to its
 * {@link ProblemLog} must be one line (a hostile value must not forge a second log line).
 */
public final class Fuzzing {

    /** How a case ended: the parser gave a result (checked by the case), or refused the input as it should. */
    public enum Outcome {
        PARSED,
        REFUSED
    }

    /**
     * One case.
     *
     * @param replay names the seed and how to replay it: for assertion messages
     * @param problems where the parser under test reports what it skipped
     */
    public record Case(JsonMutator mutator, String replay, ProblemLog problems) {
    }

    @FunctionalInterface
    public interface Body {
        Outcome run(Case fuzzCase) throws Exception;
    }

    /** How many cases ended each way. */
    public record Tally(int parsed, int refused) {
    }

    private final long seed;
    private final int cases;
    private final Set<String> interesting;

    /**
     * @param seed the first seed, unless {@code -Dfuzz.seed} says otherwise
     * @param cases the number of cases of a full run, unless {@code -Dfuzz.cases} says otherwise
     * @param interesting the keys the parser under test acts on (see {@link JsonMutator})
     */
    public Fuzzing(long seed, int cases, Set<String> interesting) {
        this.seed = Long.getLong("fuzz.seed", seed);
        this.cases = Integer.getInteger("fuzz.cases", cases);
        this.interesting = interesting;
    }

    /** The number of cases of a full run. */
    public int cases() {
        return cases;
    }

    /** A full run, from the first seed. */
    public Tally run(Body body) {
        return run(0, cases, body);
    }

    /** {@code count} cases from seed {@code fuzz.seed + offset}: runs of one test class keep apart by offset. */
    public Tally run(long offset, int count, Body body) {
        int parsed = 0;
        int refused = 0;
        for (int i = 0; i < count; i++) {
            long caseSeed = seed + offset + i;
            String replay = "case seed " + caseSeed + " (replay with -Dfuzz.seed=" + (caseSeed - offset)
                    + " -Dfuzz.cases=1)";
            List<String> problems = new ArrayList<>();
            Outcome outcome;
            try {
                outcome = body.run(new Case(new JsonMutator(caseSeed, interesting), replay,
                        new ProblemLog(problems::add)));
            } catch (AssertionError e) {
                throw e;
            } catch (Exception | Error e) {
                throw new AssertionError(replay + ": " + e + " escaped the parser", e);
            }
            problems.forEach(line -> assertThat(line).as(replay + ": a problem line is one line")
                    .doesNotContain("\n", "\r", "\u0000"));
            if (outcome == Outcome.PARSED) {
                parsed++;
            } else {
                refused++;
            }
        }
        return new Tally(parsed, refused);
    }

    /** {@code text}, cut short for an assertion message. */
    public static String cut(String text) {
        return text.length() > 120 ? text.substring(0, 117) + "..." : text;
    }
}
