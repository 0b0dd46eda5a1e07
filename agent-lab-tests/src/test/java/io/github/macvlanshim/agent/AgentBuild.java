package io.github.macvlanshim.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One build of the agent and how an operator starts it: the JVM build ({@code java -jar quarkus-run.jar}, as the
 * JVM .deb's unit does) or the native executable. The agent-level tests run once per build {@link #available()}:
 * the JVM build always; the native one when {@value #NATIVE_PROPERTY} names an executable, which {@code .ci/run}
 * does after building one (docs/native.md).
 */
record AgentBuild(String name, Path file) {

    static final String JAR_PROPERTY = "macvlan-shim.agent.jar";
    static final String NATIVE_PROPERTY = "macvlan-shim.agent.native";
    /** A comma list of build names to run, e.g. {@code native} while iterating on the native build; default all. */
    static final String ONLY_PROPERTY = "macvlan-shim.agent.builds";

    static final String JVM = "jvm";
    static final String NATIVE = "native";

    /**
     * The builds to test. A native executable that is named but missing fails every test rather than skipping
     * them: CI named it because it built it.
     */
    static List<AgentBuild> available() {
        List<AgentBuild> builds = new ArrayList<>();
        builds.add(new AgentBuild(JVM, Path.of(System.getProperty(JAR_PROPERTY,
                "../agent/target/quarkus-app/quarkus-run.jar")).toAbsolutePath()));
        String executable = System.getProperty(NATIVE_PROPERTY, "").strip();
        if (!executable.isEmpty()) {
            builds.add(new AgentBuild(NATIVE, Path.of(executable).toAbsolutePath()));
        }
        String only = System.getProperty(ONLY_PROPERTY, "").strip();
        if (!only.isEmpty()) {
            List<String> wanted = Arrays.stream(only.split(",")).map(String::strip).toList();
            builds.removeIf(build -> !wanted.contains(build.name()));
        }
        return builds;
    }

    boolean isNative() {
        return name.equals(NATIVE);
    }

    /** The command that starts this build with {@code systemProperties} ({@code -Dkey=value} each). */
    List<String> command(List<String> systemProperties) {
        return command(systemProperties, List.of());
    }

    /**
     * The command that runs this build with {@code systemProperties} and the program arguments {@code args} (a
     * subcommand such as {@code status}, as /usr/bin/macvlan-shim passes it).
     */
    List<String> command(List<String> systemProperties, List<String> args) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the " + name + " agent " + file + " does not exist: "
                    + (isNative() ? "build it as .ci/run does (docs/native.md)" : "mvn -B package -DskipTests -pl agent -am"));
        }
        List<String> command = new ArrayList<>();
        if (isNative()) {
            command.add(file.toString());
            command.addAll(systemProperties);
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(systemProperties);
            command.addAll(List.of("-jar", file.toString()));
        }
        command.addAll(args);
        return command;
    }

    @Override
    public String toString() {
        return name;
    }
}
