package io.github.macvlanshim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Lab;

/**
 * The packaged agent (JVM mode) answers health and metrics on 127.0.0.1 only by default. It runs inside a lab
 * host namespace, so "another namespace" is real: the lab's switch namespace reaches the host at
 * {@value Lab#HOST_IPV4} over the wire, as another machine on the LAN would. Needs root.
 */
@Tag("lab")
class ManagementInterfaceIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final int PORT = 9000;
    private static final String LOOPBACK = "(127\\.0\\.0\\.1|\\[::ffff:127\\.0\\.0\\.1\\]):[0-9]+";

    private Lab lab;
    private Process agent;
    private Path log;

    @BeforeAll
    static void sweep() {
        Lab.sweepStale();
    }

    @BeforeEach
    void createLab() {
        assertThat(JAR).as("the packaged agent; build it with mvn package -pl agent -am").exists();
        lab = Lab.create();
    }

    @AfterEach
    void stopAgentAndCloseLab() throws InterruptedException {
        stop();
        lab.close();
    }

    private void start(String... extraProperties) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.hostNetns(), java,
                "-Dquarkus.macvlan-shim.shims.mynet.parent=eth0", "-Dquarkus.macvlan-shim.lxd.socket=none",
                "-Dquarkus.macvlan-shim.state-file=none"));
        command.addAll(Arrays.asList(extraProperties));
        command.addAll(List.of("-jar", JAR.toString()));
        log = Files.createTempFile("agent-", ".log");
        agent = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!answers(lab.hostNetns(), "127.0.0.1")) {
            if (!agent.isAlive() || Instant.now().isAfter(deadline)) {
                throw new AssertionError("the agent did not answer on 127.0.0.1:" + PORT + "; its log:\n" + Files.readString(log));
            }
            sleep(500);
        }
    }

    private void stop() throws InterruptedException {
        if (agent != null) {
            agent.destroy();
            if (!agent.waitFor(20, TimeUnit.SECONDS)) {
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            agent = null;
        }
    }

    /** Whether GET /q/health/live from {@code netns} to {@code address}:PORT gets an HTTP answer. */
    private boolean answers(String netns, String address) {
        try {
            Process curl = new ProcessBuilder("ip", "netns", "exec", netns, "curl", "-s", "-o", "/dev/null", "-m", "3",
                    "-w", "%{http_code}", "http://" + address + ":" + PORT + "/q/health/live").redirectErrorStream(true).start();
            String code = new String(curl.getInputStream().readAllBytes()).strip();
            return curl.waitFor() == 0 && code.equals("200");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The local addresses of every listening TCP socket in the agent's namespace (it is the only process there). */
    private List<String> listening() {
        List<String> addresses = new ArrayList<>();
        for (String line : lab.exec(lab.hostNetns(), "ss", "-H", "-l", "-t", "-n").split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 4) {
                addresses.add(words[3]);
            }
        }
        return addresses;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void byDefaultHealthAnswersOnLoopbackOnlyAndNotFromAnotherNamespace() throws Exception {
        start();

        // The JVM opens dual-stack sockets, so loopback shows as ss prints an IPv4-mapped address.
        assertThat(listening()).isNotEmpty().allSatisfy(address -> assertThat(address).matches(LOOPBACK));
        assertThat(listening()).anyMatch(address -> address.matches(LOOPBACK) && address.endsWith(":" + PORT));
        assertThat(answers(lab.lanNetns(), Lab.HOST_IPV4)).as("reachable from the LAN namespace").isFalse();
        assertThat(answers(lab.hostNetns(), Lab.HOST_IPV4)).as("reachable on the host's LAN address").isFalse();
    }

    @Test
    void configuredToListenOnAllAddressesItIsReachableFromAnotherNamespace() throws Exception {
        start("-Dquarkus.management.host=0.0.0.0");

        assertThat(listening()).containsAnyOf("0.0.0.0:" + PORT, "*:" + PORT, "[::]:" + PORT);
        assertThat(answers(lab.lanNetns(), Lab.HOST_IPV4)).as("reachable from the LAN namespace").isTrue();
    }
}
