package io.github.macvlanshim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packaged agent, JVM and native build alike, stopping at start-up as an operator sees it: exit status and
 * one message. Needs no root and changes nothing: nothing here gets past configuration (dry-run and no LXD
 * besides), so these run with the pure-logic tests.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.macvlanshim.agent.AgentBuild#available")
class AgentStartupTest {

    private static final Duration EXITS_WITHIN = Duration.ofSeconds(60);
    private static final String NOT_CONFIGURED = "no shim configured: set quarkus.macvlan-shim.shims.<name>.parent=<interface> in ";

    @Parameter
    AgentBuild build;

    @RegisterExtension
    final Agents agents = Agents.inLabOfTheTest();

    @Test
    void withNoShimConfiguredItExitsWithStatus2AndOneMessageNamingItsFile() {
        RunningAgent agent = agents.config().set("quarkus.macvlan-shim.lxd.socket", "none").start(build, "empty");

        assertThat(agent.awaitExit(EXITS_WITHIN)).as("exit status; log:%n%s", agent.log()).isEqualTo(2);
        Path file = agents.dir().resolve("empty.properties");
        assertThat(agent.log()).contains(NOT_CONFIGURED + file).doesNotContain("Exception");
        assertThat(agent.log().lines().filter(l -> l.contains("no shim")).count()).isEqualTo(1);
    }

    @Test
    void aValueOfTheWrongTypeStopsStartUpNamingKeyAndValue() {
        RunningAgent agent = dryRun().set("quarkus.macvlan-shim.on-stop", "sometimes").start(build, "wrong-type");

        assertThat(agent.awaitExit(EXITS_WITHIN)).as("exit status; log:%n%s", agent.log()).isNotIn(0, 2);
        assertThat(agent.log()).contains("quarkus.macvlan-shim.on-stop").contains("sometimes");
    }

    @Test
    void aRouteProtocolOutOfRangeStopsStartUpWithItsMessage() {
        RunningAgent agent = dryRun().set("quarkus.macvlan-shim.routes.protocol", "0").start(build, "protocol");

        assertThat(agent.awaitExit(EXITS_WITHIN)).as("exit status; log:%n%s", agent.log()).isNotIn(0, 2);
        assertThat(agent.log()).contains("quarkus.macvlan-shim.routes.protocol=0 is not accepted").contains("from 5 to 255");
    }

    @Test
    void aRelativeLxdSocketStopsStartUpWithItsMessage() {
        RunningAgent agent = dryRun().set("quarkus.macvlan-shim.lxd.socket", "lxd/unix.socket").start(build, "relative-socket");

        assertThat(agent.awaitExit(EXITS_WITHIN)).as("exit status; log:%n%s", agent.log()).isNotIn(0, 2);
        assertThat(agent.log()).contains("quarkus.macvlan-shim.lxd.socket=lxd/unix.socket is not accepted")
                .contains("absolute path");
    }

    @Test
    void aConfigFileThatIsNamedButMissingStopsStartUpNamingIt() {
        Path missing = agents.dir().resolve("missing.properties");
        RunningAgent agent = agents.startBare(build, "missing", List.of("-D" + Agents.CONFIG_KEY + "=" + missing,
                "-Dquarkus.management.port=0"));

        assertThat(agent.awaitExit(EXITS_WITHIN)).as("exit status; log:%n%s", agent.log()).isNotIn(0, 2);
        assertThat(agent.log()).contains(Agents.CONFIG_KEY + "=" + missing + " is not accepted");
    }

    /** A shim whose parent does not matter: dry-run plans and changes nothing, and start-up stops before that. */
    private Agents.Config dryRun() {
        return agents.config().set("quarkus.macvlan-shim.shims.mynet.parent", "eth0")
                .set("quarkus.macvlan-shim.dry-run", "true");
    }
}
