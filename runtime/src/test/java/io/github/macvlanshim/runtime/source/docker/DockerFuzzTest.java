package io.github.macvlanshim.runtime.source.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import io.github.macvlanshim.runtime.fuzz.JsonMutator;
import io.github.macvlanshim.runtime.net.InterfaceNames;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.docker.DockerEndpoints.Engine;
import io.github.macvlanshim.runtime.source.docker.DockerEndpoints.Networks;
import io.github.macvlanshim.runtime.source.lxd.ProblemLog;

/**
 * Seeded mutation fuzzing of {@link DockerEndpoints} and {@link DockerEvent} over the answers captured from a real
 * Docker and a real Podman (docker-json/). Whatever the engine answers, the parser returns endpoints that are all
 * usable, or throws {@link SourceException} (the engine then keeps the last good snapshot); one bad container never
 * costs another its endpoints; an event is parsed or empty. A failure names its seed; {@code -Dfuzz.seed=N
 * -Dfuzz.cases=1} replays it.
 */
class DockerFuzzTest {

    private static final int CASES = Integer.getInteger("fuzz.cases", 10_000);
    private static final long SEED = Long.getLong("fuzz.seed", 0xd0c_0001L);
    private static final Set<String> INTERESTING = Set.of("Version", "ApiVersion", "Components", "Name", "Names", "Id",
            "Driver", "Options", "parent", "macvlan_mode", "ConfigFrom", "Network", "ConfigOnly", "State", "Running",
            "NetworkSettings", "Networks", "NetworkID", "IPAddress", "GlobalIPv6Address", "name", "id", "driver",
            "network_interface", "options", "mode", "Type", "Action", "Actor", "ID", "Attributes", "container");
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    /** Each engine's three answers: version, networks, containers. */
    private record Answers(JsonNode version, JsonNode networks, JsonNode containers, int endpoints) {
    }

    private static final List<Answers> ENGINES = List.of(
            new Answers(DockerFixtures.tree("version.json"), DockerFixtures.tree("networks.json"),
                    DockerFixtures.tree("containers.json"), 11),
            new Answers(DockerFixtures.tree("podman/version.json"), DockerFixtures.tree("podman/networks-libpod.json"),
                    DockerFixtures.tree("podman/containers.json"), 4));
    private static final List<JsonNode> EVENTS = new ArrayList<>();
    private static final List<JsonNode> INSPECTS = List.of(DockerFixtures.tree("container-d1.json"),
            DockerFixtures.tree("container-m1.json"), DockerFixtures.tree("container-x1-stopped.json"));

    static {
        for (String file : List.of("events.jsonl", "podman/events.jsonl")) {
            DockerFixtures.events(file).forEach(line -> EVENTS.add(parse(line).orElseThrow()));
        }
    }

    private static Optional<JsonNode> parse(String text) {
        try {
            return Optional.ofNullable(DockerFixtures.JSON.readTree(text));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static List<Endpoint> endpoints(DockerEndpoints parser, JsonNode version, JsonNode networks,
            JsonNode containers) throws SourceException {
        Engine engine = parser.engine(version);
        Networks found = parser.networks(engine, networks);
        return parser.endpoints(containers, found);
    }

    @Test
    void mutatedAnswersGiveUsableEndpointsOrASourceExceptionAndNothingElse() throws SourceException {
        for (Answers answers : ENGINES) {
            assertThat(endpoints(quiet(), answers.version(), answers.networks(), answers.containers()))
                    .hasSize(answers.endpoints());
        }
        int parsed = 0;
        int refused = 0;
        for (int i = 0; i < CASES; i++) {
            long seed = SEED + i;
            String replay = "case seed " + seed + " (replay with -Dfuzz.seed=" + seed + " -Dfuzz.cases=1)";
            JsonMutator mutator = new JsonMutator(seed, INTERESTING);
            Answers answers = ENGINES.get(mutator.random().nextInt(ENGINES.size()));
            int which = mutator.random().nextInt(4);
            Optional<JsonNode> version = which == 0 ? parse(mutator.mutate(answers.version())) : Optional.of(answers.version());
            Optional<JsonNode> networks = which == 1 ? parse(mutator.mutate(answers.networks())) : Optional.of(answers.networks());
            Optional<JsonNode> containers = which >= 2 ? parse(mutator.mutate(answers.containers()))
                    : Optional.of(answers.containers());
            if (version.isEmpty() || networks.isEmpty() || containers.isEmpty()) {
                // The client refuses a body that is not JSON itself (a DockerException, a SourceException).
                refused++;
                continue;
            }
            List<String> problems = new ArrayList<>();
            try {
                endpoints(new DockerEndpoints(new ProblemLog(problems::add)), version.get(), networks.get(),
                        containers.get()).forEach(endpoint -> assertUsable(endpoint, replay));
                parsed++;
            } catch (SourceException e) {
                assertThat(e.getMessage()).as(replay).startsWith("GET /");
                refused++;
            } catch (RuntimeException | Error e) {
                throw new AssertionError(replay + ": " + e + " escaped DockerEndpoints", e);
            }
            problems.forEach(line -> assertThat(line).as(replay + ": a problem line is one line")
                    .doesNotContain("\n", "\r", "\u0000"));
        }
        assertThat(parsed).as("cases that still parsed").isGreaterThan(CASES / 4);
        assertThat(refused).as("cases refused").isGreaterThan(CASES / 50);
    }

    @Test
    void aMutatedContainerNeverCostsAnotherContainerItsEndpoints() throws SourceException {
        Answers docker = ENGINES.get(0);
        List<Endpoint> baseline = endpoints(quiet(), docker.version(), docker.networks(), docker.containers());
        int cases = CASES / 2;
        for (int i = 0; i < cases; i++) {
            long seed = SEED + 1_000_000 + i;
            String replay = "case seed " + seed;
            JsonMutator mutator = new JsonMutator(seed, INTERESTING);
            ArrayNode containers = docker.containers().deepCopy();
            int victim = mutator.random().nextInt(containers.size());
            String victimName = containers.get(victim).path("Names").path(0).asText().substring(1);
            JsonNode mutated = containers.get(victim);
            for (int m = 1 + mutator.random().nextInt(3); m > 0; m--) {
                mutated = mutator.mutateTree(mutated);
            }
            containers.set(victim, mutated);
            List<Endpoint> endpoints;
            try {
                endpoints = endpoints(quiet(), docker.version(), docker.networks(), containers);
            } catch (RuntimeException | Error e) {
                throw new AssertionError(replay + ": " + e + " escaped DockerEndpoints", e);
            }
            endpoints.forEach(endpoint -> assertUsable(endpoint, replay));
            assertThat(endpoints).as(replay + ": container " + victimName + " was mutated; the others must stay")
                    .containsAll(baseline.stream().filter(e -> !e.instance().equals(victimName)).toList());
        }
    }

    @Test
    void mutatedInspectAnswersGiveAUsableContainerOrNoneAndNeverThrow() throws SourceException {
        Answers docker = ENGINES.get(0);
        Networks networks = quiet().networks(quiet().engine(docker.version()), docker.networks());
        for (int i = 0; i < CASES; i++) {
            long seed = SEED + 3_000_000 + i;
            String replay = "case seed " + seed;
            JsonMutator mutator = new JsonMutator(seed, INTERESTING);
            Optional<JsonNode> inspect = parse(mutator.mutate(INSPECTS.get(mutator.random().nextInt(INSPECTS.size()))));
            if (inspect.isEmpty()) {
                continue;
            }
            try {
                quiet().container(inspect.get(), networks).ifPresent(container -> {
                    assertThat(container.name()).as(replay).matches(PLAIN_NAME);
                    container.endpoints().forEach(endpoint -> assertUsable(endpoint, replay));
                    assertThat(container.running() || container.endpoints().isEmpty()).as(replay).isTrue();
                });
            } catch (RuntimeException | Error e) {
                throw new AssertionError(replay + ": " + e + " escaped DockerEndpoints.container", e);
            }
        }
    }

    @Test
    void mutatedEventsAreParsedOrEmptyAndNeverThrow() {
        int parsed = 0;
        for (int i = 0; i < CASES; i++) {
            long seed = SEED + 2_000_000 + i;
            String replay = "case seed " + seed;
            JsonMutator mutator = new JsonMutator(seed, INTERESTING);
            String text = mutator.mutate(EVENTS.get(mutator.random().nextInt(EVENTS.size())));
            try {
                Optional<DockerEvent> event = DockerEvent.parse(text, DockerFixtures.JSON, new ProblemLog(line -> assertThat(line)
                        .as(replay + ": a problem line is one line").doesNotContain("\n", "\r", "\u0000")));
                if (event.isPresent()) {
                    parsed++;
                    if (event.get().reaction() != DockerEvent.Reaction.IGNORE) {
                        assertThat(DockerEndpoints.isId(event.get().container())).as(replay).isTrue();
                    }
                    event.get().name().ifPresent(name -> assertThat(name).as(replay).matches(PLAIN_NAME));
                }
            } catch (RuntimeException | Error e) {
                throw new AssertionError(replay + ": " + e + " escaped DockerEvent.parse", e);
            }
        }
        assertThat(parsed).isGreaterThan(CASES / 10);
    }

    private static DockerEndpoints quiet() {
        return new DockerEndpoints(new ProblemLog(line -> {
        }));
    }

    private static void assertUsable(Endpoint endpoint, String replay) {
        String what = replay + ": " + cut(endpoint.toString());
        assertThat(endpoint.source()).as(what).isEqualTo("docker");
        assertThat(endpoint.instance()).as(what).matches(PLAIN_NAME);
        assertThat(endpoint.project()).as(what).isEmpty();
        assertThat(endpoint.nic()).as(what).matches(PLAIN_NAME);
        assertThat(InterfaceNames.problem(endpoint.parent())).as(what).isNull();
        InetAddress address = endpoint.prefix().address();
        assertThat(endpoint.prefix().isHost()).as(what).isTrue();
        assertThat(IpLiterals.parse(IpLiterals.format(address))).as(what).isEqualTo(address);
        assertThat(address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isMulticastAddress()).as(what).isFalse();
    }

    private static String cut(String text) {
        return text.length() > 120 ? text.substring(0, 117) + "..." : text;
    }
}
