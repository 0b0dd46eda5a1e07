package io.github.macvlanshim.runtime.source.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.github.macvlanshim.runtime.source.docker.DockerEvent.Reaction;
import io.github.macvlanshim.runtime.source.lxd.ProblemLog;

/** {@link DockerEvent} on the event streams a real Docker 20.10 and a real Podman 4.3 sent (docker-json/README.md). */
class DockerEventTest {

    private final List<String> problems = new ArrayList<>();
    private final ProblemLog log = new ProblemLog(problems::add);

    @Test
    void dockerEventsNameTheContainerEvenWhenTheActorIsTheNetwork() {
        List<DockerEvent> events = parse("events.jsonl");

        assertThat(events).hasSize(28);
        assertThat(events).allSatisfy(event -> assertThat(event.container()).hasSize(64));
        DockerEvent connect = events.get(0);
        DockerEvent start = events.get(1);
        assertThat(connect.type()).isEqualTo("network");
        assertThat(connect.container()).isEqualTo(start.container());
        assertThat(connect.name()).as("a Docker network event's name is the network's").isEmpty();
        assertThat(start.name()).contains("d1");
        assertThat(events).filteredOn(event -> event.action().equals("rename")).singleElement()
                .satisfies(event -> assertThat(event.reaction()).isEqualTo(Reaction.RESYNC));
        assertThat(events).filteredOn(event -> !event.action().equals("rename"))
                .allSatisfy(event -> assertThat(event.reaction()).isEqualTo(Reaction.REFRESH));
        assertThat(events).extracting(DockerEvent::action).contains("destroy", "die", "disconnect");
        assertThat(problems).isEmpty();
    }

    @Test
    void podmanNetworkEventsNameTheContainerInTheActorAndRemovalIsRemove() {
        List<DockerEvent> events = parse("podman/events.jsonl");

        assertThat(events).hasSize(10);
        assertThat(events).filteredOn(event -> event.type().equals("network")).hasSize(2)
                .allSatisfy(event -> assertThat(event.name()).contains("q2"));
        assertThat(events).filteredOn(event -> event.action().equals("remove")).singleElement()
                .satisfies(event -> {
                    assertThat(event.name()).contains("e3");
                    assertThat(event.reaction()).isEqualTo(Reaction.REFRESH);
                });
        assertThat(problems).isEmpty();
    }

    @Test
    void eventsThatChangeNoAddressAreIgnoredAndBrokenLinesReportedOnce() {
        String id = "a".repeat(64);
        assertThat(reaction("{\"Type\":\"container\",\"Action\":\"kill\",\"Actor\":{\"ID\":\"" + id + "\"}}"))
                .contains(Reaction.IGNORE);
        assertThat(reaction("{\"Type\":\"network\",\"Action\":\"destroy\",\"Actor\":{\"ID\":\"" + id + "\"}}"))
                .contains(Reaction.IGNORE);
        assertThat(reaction("{\"Type\":\"image\",\"Action\":\"pull\"}")).isEmpty();
        assertThat(reaction("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"../../x\"}}")).isEmpty();
        assertThat(reaction("not json")).isEmpty();
        assertThat(reaction("not json")).isEmpty();

        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).contains("the container ID is \"../../x\"");
        assertThat(problems.get(1)).startsWith("Docker event ignored: not JSON");
    }

    @Test
    void theStreamIsFilteredToWhatChangesAddresses() {
        String path = URLDecoder.decode(DockerEvent.path(), StandardCharsets.UTF_8);

        assertThat(path).isEqualTo("/events?filters={\"type\":[\"container\",\"network\"],\"event\":[\"start\",\"die\","
                + "\"died\",\"destroy\",\"remove\",\"rename\",\"connect\",\"disconnect\"]}");
    }

    private Optional<Reaction> reaction(String line) {
        return DockerEvent.parse(line, DockerFixtures.JSON, log).map(DockerEvent::reaction);
    }

    private List<DockerEvent> parse(String file) {
        return DockerFixtures.events(file).stream()
                .map(line -> DockerEvent.parse(line, DockerFixtures.JSON, log).orElseThrow())
                .toList();
    }
}
