package io.github.macvlanshim.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;

/**
 * The agent started on a configuration file of the test's own. Nothing here gets past validation without
 * dry-run, so no test changes the host's network.
 */
@QuarkusMainTest
class AgentStartTest {

    private static final String PARENT = "quarkus.macvlan-shim.shims.mynet.parent";

    @TempDir
    Path dir;

    @AfterEach
    void forgetLocation() {
        System.clearProperty(AgentConfigSourceFactory.LOCATION_KEY);
        System.clearProperty(PARENT);
    }

    @Test
    void withNoShimConfiguredItStopsWithStatus2AndSaysWhatToSetWhere(QuarkusMainLauncher launcher) throws IOException {
        Path file = configFile("# nothing yet\n");

        LaunchResult result = launcher.launch();

        assertThat(result.exitCode()).isEqualTo(Agent.EXIT_NOT_CONFIGURED);
        assertThat(output(result)).contains("no shim configured: set quarkus.macvlan-shim.shims.<name>.parent=<interface> in "
                + file);
        assertThat(output(result)).doesNotContain("Exception");
    }

    @Test
    void aParentThatIsNoInterfaceNameStopsStartUpNamingTheKey(QuarkusMainLauncher launcher) throws IOException {
        // A parent that does not exist is a state the agent waits in, not a start-up failure: a bad name is one.
        configFile("""
                quarkus.macvlan-shim.shims.mynet.parent=-nosuch0
                quarkus.macvlan-shim.dry-run=true
                quarkus.macvlan-shim.lxd.socket=none
                quarkus.macvlan-shim.test.real-host=true
                """);

        LaunchResult result = launcher.launch();

        assertThat(result.exitCode()).isNotZero().isNotEqualTo(Agent.EXIT_NOT_CONFIGURED);
        assertThat(output(result)).contains("quarkus.macvlan-shim.shims.mynet.parent=-nosuch0 is not accepted");
        assertThat(output(result)).as("one line, no stack trace").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aSystemPropertyOverridesTheFile(QuarkusMainLauncher launcher) throws IOException {
        configFile("""
                quarkus.macvlan-shim.shims.mynet.parent=-nosuch0
                quarkus.macvlan-shim.dry-run=true
                quarkus.macvlan-shim.lxd.socket=none
                quarkus.macvlan-shim.test.real-host=true
                """);
        System.setProperty(PARENT, "-nosuch1");

        LaunchResult result = launcher.launch();

        assertThat(output(result)).contains(PARENT + "=-nosuch1 is not accepted");
    }

    @Test
    void aValueOfTheWrongTypeStopsStartUpNamingTheKey(QuarkusMainLauncher launcher) throws IOException {
        configFile("""
                quarkus.macvlan-shim.shims.mynet.parent=eth0
                quarkus.macvlan-shim.on-stop=sometimes
                quarkus.macvlan-shim.dry-run=true
                quarkus.macvlan-shim.lxd.socket=none
                """);

        LaunchResult result = launcher.launch();

        assertThat(result.exitCode()).isNotZero();
        assertThat(output(result)).contains("quarkus.macvlan-shim.on-stop").contains("sometimes");
    }

    /** The launcher builds the configuration before it starts the agent; .ci/check-deb sees the exit status. */
    @Test
    void aConfigFileThatIsNamedButMissingStopsStartUpNamingIt(QuarkusMainLauncher launcher) {
        Path missing = dir.resolve("missing.properties");
        System.setProperty(AgentConfigSourceFactory.LOCATION_KEY, missing.toString());

        assertThatThrownBy(launcher::launch).rootCause()
                .hasMessageContaining(AgentConfigSourceFactory.LOCATION_KEY + "=" + missing + " is not accepted");
    }

    private Path configFile(String content) throws IOException {
        Path file = dir.resolve("agent.properties");
        Files.writeString(file, content);
        System.setProperty(AgentConfigSourceFactory.LOCATION_KEY, file.toString());
        return file;
    }

    private static String output(LaunchResult result) {
        return result.getOutput() + "\n" + result.getErrorOutput();
    }
}
