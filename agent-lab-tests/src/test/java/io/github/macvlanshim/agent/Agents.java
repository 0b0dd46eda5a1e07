package io.github.macvlanshim.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.github.macvlanshim.lab.Lab;

/**
 * The agent processes a test starts, each with its own properties file, log and management port, and, for
 * {@link #withFreshLab()}, the lab they work in. After each test every agent still running is stopped (SIGTERM,
 * then SIGKILL by PID, its children too) before the lab is closed, so an agent never outlives its namespaces and
 * on-stop=remove still finds them.
 */
final class Agents implements BeforeEachCallback, AfterEachCallback {

    /** The agent's key for its properties file (AgentConfigSourceFactory.LOCATION_KEY in the agent module). */
    static final String CONFIG_KEY = "macvlan-shim.config";
    static final String STATE_FILE_KEY = "quarkus.macvlan-shim.state-file";

    private final boolean ownLab;
    private final List<RunningAgent> started = new ArrayList<>();
    private Lab lab;
    private Path dir;

    private Agents(boolean ownLab) {
        this.ownLab = ownLab;
    }

    /** Agents in a lab of the test's own making (an LXD host shared by a class, for one). */
    static Agents inLabOfTheTest() {
        return new Agents(false);
    }

    /** Agents plus a fresh {@link Lab} for each test, closed after them. */
    static Agents withFreshLab() {
        return new Agents(true);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("macvlan-shim-agents-");
        if (ownLab) {
            Lab.sweepStale();
            lab = Lab.create();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            for (RunningAgent agent : started) {
                agent.stopQuietly();
            }
        } finally {
            started.clear();
            try {
                if (lab != null) {
                    lab.close();
                    lab = null;
                }
            } finally {
                deleteTree(dir);
            }
        }
    }

    /** The lab of {@link #withFreshLab()}. */
    Lab lab() {
        if (lab == null) {
            throw new IllegalStateException("no lab: use Agents.withFreshLab()");
        }
        return lab;
    }

    /** A configuration the test fills, then starts. */
    Config config() {
        return new Config();
    }

    /** Agent configuration: the lines of its properties file (given with {@code macvlan-shim.config}). */
    final class Config {

        private final Map<String, String> properties = new LinkedHashMap<>();

        Config set(String key, String value) {
            properties.put(key, value);
            return this;
        }

        Config setAll(Map<String, String> values) {
            properties.putAll(values);
            return this;
        }

        /** The shim {@code mynet} on the lab host's eth0, inside the lab host's namespace. */
        Config shimInLab(Lab lab) {
            return set("quarkus.macvlan-shim.netns", lab.hostNetns()).set("quarkus.macvlan-shim.shims.mynet.parent", "eth0");
        }

        /**
         * Starts {@code build} as {@code name} (its log is {@code name.log}); does not wait for it to be ready. Unless
         * the test set one, the sources' state file is the test's own ({@code sources.json} in {@link #dir()}, shared
         * by the agents of one test as by an agent and its restart), never the host's.
         */
        RunningAgent start(AgentBuild build, String name) {
            properties.putIfAbsent(STATE_FILE_KEY, dir.resolve("sources.json").toString());
            Path file = dir.resolve(name + ".properties");
            int port = freePort();
            // In the file, not as -D: the status command reads the port from the agent's file, as an operator's does.
            properties.put("quarkus.management.port", String.valueOf(port));
            try {
                Files.writeString(file, properties.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            RunningAgent agent = RunningAgent.start(build, name, dir, List.of("-D" + CONFIG_KEY + "=" + file), port,
                    file);
            started.add(agent);
            return agent;
        }
    }

    /** The working directory the agents run in, where their files and logs are. */
    Path dir() {
        return dir;
    }

    /** Starts {@code build} with exactly {@code systemProperties}, no file and no management port of its own. */
    RunningAgent startBare(AgentBuild build, String name, List<String> systemProperties) {
        RunningAgent agent = RunningAgent.start(build, name, dir, systemProperties, -1, null);
        started.add(agent);
        return agent;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
