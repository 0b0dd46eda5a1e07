package io.github.macvlanshim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.macvlanshim.agent.RunningAgent.Result;

/**
 * The alert rules are valid and behave as their unit tests say (promtool, from Debian's prometheus package, as
 * .ci/run installs it). The unit tests pin each alert's summary and description, so none goes without.
 */
class MonitoringRulesTest {

    private static Result promtool(String... args) {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        try {
            new ProcessBuilder("promtool", "--version").start().waitFor();
        } catch (IOException e) {
            throw new AssertionError("promtool is not installed: apt-get install prometheus (.ci/run and ./demo do)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return RunningAgent.run(command, null);
    }

    @Test
    void theRulesAreValid() {
        Result check = promtool("check", "rules", MonitoringKitIT.KIT.resolve("macvlan-shim-rules.yml").toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 5 rules found");
    }

    @Test
    void theRulesPassTheirUnitTests() {
        Result test = promtool("test", "rules", MonitoringKitIT.KIT.resolve("macvlan-shim-rules.test.yml").toString());
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }
}
