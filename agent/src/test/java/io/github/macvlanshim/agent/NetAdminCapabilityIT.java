package io.github.macvlanshim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Lab;

/**
 * The packaged agent started as root but without CAP_NET_ADMIN: util-linux's setpriv drops it from the bounding
 * (and inheritable) set before exec, so java runs with every capability but that one, inside a lab host
 * namespace. Needs root.
 */
@Tag("lab")
class NetAdminCapabilityIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private Lab lab;
    private Process agent;
    private Path log;

    @BeforeAll
    static void sweep() {
        Lab.sweepStale();
    }

    @BeforeEach
    void createLab() {
        assertThat(JAR).as("the packaged agent; build it with ./mvnw package -pl agent -am").exists();
        lab = Lab.create();
    }

    @AfterEach
    void stopAgentAndCloseLab() throws InterruptedException, IOException {
        if (agent != null && agent.isAlive()) {
            agent.destroy();
            if (!agent.waitFor(20, TimeUnit.SECONDS)) {
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        lab.close();
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void withoutTheCapabilityTheAgentStopsWithOneMessageNamingItAndANonZeroStatus() throws Exception {
        start();

        assertThat(agent.waitFor(90, TimeUnit.SECONDS)).as("the agent stops by itself").isTrue();
        String output = Files.readString(log);
        assertThat(agent.exitValue()).as(output).isNotZero();
        assertThat(output).contains("needs the capability CAP_NET_ADMIN", "run it as root",
                "AmbientCapabilities=CAP_NET_ADMIN", "setcap cap_net_admin+ep");
        assertThat(output).as("one line, no stack trace").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(lab.ip(lab.hostNetns(), "-o", "link", "show")).doesNotContain("mynet");
    }

    @Test
    void dryRunNeedsNoCapability() throws Exception {
        start("-Dquarkus.macvlan-shim.dry-run=true");

        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!Files.readString(log).contains("macvlan-shim started")) {
            assertThat(agent.isAlive()).as("the agent runs; its log:\n%s", Files.readString(log)).isTrue();
            assertThat(Instant.now()).as("the agent starts within 90 s").isBefore(deadline);
            Thread.sleep(250);
        }
        assertThat(Files.readString(log)).contains("dry-run").doesNotContain("CAP_NET_ADMIN");
        assertThat(lab.ip(lab.hostNetns(), "-o", "link", "show")).doesNotContain("mynet");
    }

    private void start(String... extraProperties) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.hostNetns(),
                "setpriv", "--bounding-set", "-net_admin", "--inh-caps", "-net_admin", java,
                "-Dquarkus.macvlan-shim.shims.mynet.parent=eth0",
                // The lock then names the lab's namespace, not this machine's.
                "-Dquarkus.macvlan-shim.netns=" + lab.hostNetns(),
                "-Dquarkus.macvlan-shim.lxd.socket=none", "-Dquarkus.management.port=0"));
        command.addAll(List.of(extraProperties));
        command.addAll(List.of("-jar", JAR.toString()));
        log = Files.createTempFile("agent-", ".log");
        agent = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
