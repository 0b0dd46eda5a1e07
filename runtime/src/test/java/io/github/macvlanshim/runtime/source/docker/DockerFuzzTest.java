package io.github.macvlanshim.runtime.source.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.macvlanshim.runtime.fuzz.Fuzzing;
import io.github.macvlanshim.runtime.fuzz.Fuzzing.Outcome;
import io.github.macvlanshim.runtime.fuzz.JsonMutator;
import io.github.macvlanshim.runtime.fuzz.UsableEndpoints;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.docker.DockerEndpoints.Engine;
import io.github.macvlanshim.runtime.source.docker.DockerEndpoints.Networks;
import io.github.macvlanshim.runtime.source.lxd.ProblemLog;

/**
 * Seeded mutation fuzzing of {@link DockerEndpoints} and {@link DockerEvent} over the answers captured from a real
 * Docker and a real Podman (docker-json/). Whatever the engine answers, the parser returns endpoints that are all
 * usable, or throws {@link SourceException} (the engine then keeps the last good snapshot); one bad container never
 * costs another its endpoints; an event is parsed or empty. A failure names its seed and how to replay it.
 */
class DockerFuzzTest {

    private static final Fuzzing FUZZ = new Fuzzing(0xd0c_0001L, 10_000, Set.of("Version", "ApiVersion",
            "Components", "Name", "Names", "Id", "Driver", "Options", "parent", "macvlan_mode", "ConfigFrom", "Network",
            "ConfigOnly", "State", "Running", "NetworkSettings", "Networks", "NetworkID", "IPAddress",
            "GlobalIPv6Address", "name", "id", "driver", "network_interface", "options", "mode", "Type", "Action",
            "Actor", "ID", "Attributes", "container"));
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    /** Containers have no project; the NIC field is the network's name. */
    private static final UsableEndpoints USABLE = new UsableEndpoints("docker", PLAIN_NAME.asMatchPredicate(),
            String::isEmpty, PLAIN_NAME.asMatchPredicate());

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
        Fuzzing.Tally tally = FUZZ.run(fuzz -> {
            JsonMutator mutator = fuzz.mutator();
            Answers answers = ENGINES.get(mutator.random().nextInt(ENGINES.size()));
            int which = mutator.random().nextInt(4);
            Optional<JsonNode> version = which == 0 ? parse(mutator.mutate(answers.version())) : Optional.of(answers.version());
            Optional<JsonNode> networks = which == 1 ? parse(mutator.mutate(answers.networks())) : Optional.of(answers.networks());
            Optional<JsonNode> containers = which >= 2 ? parse(mutator.mutate(answers.containers()))
                    : Optional.of(answers.containers());
            if (version.isEmpty() || networks.isEmpty() || containers.isEmpty()) {
                // The client refuses a body that is not JSON itself (a DockerException, a SourceException).
                return Outcome.REFUSED;
            }
            try {
                endpoints(new DockerEndpoints(fuzz.problems()), version.get(), networks.get(), containers.get())
                        .forEach(endpoint -> USABLE.check(endpoint, fuzz.replay()));
                return Outcome.PARSED;
            } catch (SourceException e) {
                assertThat(e.getMessage()).as(fuzz.replay()).startsWith("GET /");
                return Outcome.REFUSED;
            }
        });
        assertThat(tally.parsed()).as("cases that still parsed").isGreaterThan(FUZZ.cases() / 4);
        assertThat(tally.refused()).as("cases refused").isGreaterThan(FUZZ.cases() / 50);
    }

    @Test
    void aMutatedContainerNeverCostsAnotherContainerItsEndpoints() throws SourceException {
        Answers docker = ENGINES.get(0);
        List<Endpoint> baseline = endpoints(quiet(), docker.version(), docker.networks(), docker.containers());
        FUZZ.run(1_000_000, Math.max(1, FUZZ.cases() / 2), fuzz -> {
            JsonMutator.OneMutated containers = fuzz.mutator().mutateOneElement(docker.containers());
            List<Endpoint> endpoints = endpoints(new DockerEndpoints(fuzz.problems()), docker.version(),
                    docker.networks(), containers.array());
            endpoints.forEach(endpoint -> USABLE.check(endpoint, fuzz.replay()));
            UsableEndpoints.assertOthersKept(endpoints, baseline,
                    containers.victim().path("Names").path(0).asText().substring(1), fuzz.replay());
            return Outcome.PARSED;
        });
    }

    @Test
    void mutatedInspectAnswersGiveAUsableContainerOrNoneAndNeverThrow() throws SourceException {
        Answers docker = ENGINES.get(0);
        Networks networks = quiet().networks(quiet().engine(docker.version()), docker.networks());
        FUZZ.run(3_000_000, FUZZ.cases(), fuzz -> {
            JsonMutator mutator = fuzz.mutator();
            Optional<JsonNode> inspect = parse(mutator.mutate(INSPECTS.get(mutator.random().nextInt(INSPECTS.size()))));
            Optional<DockerEndpoints.Container> container = inspect.isEmpty() ? Optional.empty()
                    : new DockerEndpoints(fuzz.problems()).container(inspect.get(), networks);
            if (container.isEmpty()) {
                return Outcome.REFUSED;
            }
            assertThat(container.get().name()).as(fuzz.replay()).matches(PLAIN_NAME);
            container.get().endpoints().forEach(endpoint -> USABLE.check(endpoint, fuzz.replay()));
            assertThat(container.get().running() || container.get().endpoints().isEmpty()).as(fuzz.replay()).isTrue();
            return Outcome.PARSED;
        });
    }

    @Test
    void mutatedEventsAreParsedOrEmptyAndNeverThrow() {
        Fuzzing.Tally tally = FUZZ.run(2_000_000, FUZZ.cases(), fuzz -> {
            JsonMutator mutator = fuzz.mutator();
            String text = mutator.mutate(EVENTS.get(mutator.random().nextInt(EVENTS.size())));
            Optional<DockerEvent> event = DockerEvent.parse(text, DockerFixtures.JSON, fuzz.problems());
            if (event.isEmpty()) {
                return Outcome.REFUSED;
            }
            if (event.get().reaction() != DockerEvent.Reaction.IGNORE) {
                assertThat(DockerEndpoints.isId(event.get().container())).as(fuzz.replay()).isTrue();
            }
            event.get().name().ifPresent(name -> assertThat(name).as(fuzz.replay()).matches(PLAIN_NAME));
            return Outcome.PARSED;
        });
        assertThat(tally.parsed()).isGreaterThan(FUZZ.cases() / 10);
    }

    private static DockerEndpoints quiet() {
        return new DockerEndpoints(new ProblemLog(line -> {
        }));
    }
}
