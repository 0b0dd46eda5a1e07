package io.github.macvlanshim.runtime.source.lxd;

import static io.github.macvlanshim.runtime.source.lxd.Fixtures.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.github.macvlanshim.runtime.source.lxd.LxdEvent.Reaction;

class LxdEventTest {

    private final List<String> logged = new ArrayList<>();
    private final ProblemLog problems = new ProblemLog(logged::add);

    private Optional<LxdEvent> parse(String text) {
        return LxdEvent.parse(text, JSON, problems);
    }

    private static String captured(String action, String source) {
        return Fixtures.events().stream()
                .filter(e -> e.contains("\"action\":\"" + action + "\"") && e.contains("\"source\":\"" + source + "\""))
                .findFirst().orElseThrow();
    }

    @Test
    void everyCapturedEventParses() {
        List<String> events = Fixtures.events();
        assertThat(events).hasSizeGreaterThan(20);
        assertThat(events).allSatisfy(text -> assertThat(parse(text)).isPresent());
        assertThat(logged).isEmpty();
    }

    @Test
    void anInstanceStartParsesIntoItsParts() {
        assertThat(parse(captured("instance-started", "/1.0/instances/c1"))).contains(
                new LxdEvent("lifecycle", "instance-started", "/1.0/instances/c1", "default", "none"));
    }

    @Test
    void theProjectComesFromTheSourceQuery() {
        LxdEvent event = parse(captured("instance-started", "/1.0/instances/c4?project=p2")).orElseThrow();
        assertThat(event.project()).isEqualTo("p2");
        assertThat(event.instance()).contains("c4");
        assertThat(parse(captured("instance-started", "/1.0/instances/c4?project=p2").replace("\"project\":\"p2\"",
                "\"project\":\"\"")).orElseThrow().project()).isEqualTo("p2");
    }

    @Test
    void startsRestartsUpdatesRenamesAndResumesWaitForAnAddress() {
        for (String action : List.of("instance-started", "instance-restarted", "instance-updated",
                "instance-renamed", "instance-resumed")) {
            String text = captured("instance-started", "/1.0/instances/c1").replace("instance-started", action);
            assertThat(parse(text).orElseThrow().reaction()).as(action).isEqualTo(Reaction.AWAIT_ADDRESS);
        }
    }

    @Test
    void stopsDeletesPausesAndShutdownsResyncAtOnce() {
        for (String action : List.of("instance-stopped", "instance-deleted", "instance-paused", "instance-shutdown")) {
            String text = captured("instance-stopped", "/1.0/instances/c1").replace("instance-stopped", action);
            assertThat(parse(text).orElseThrow().reaction()).as(action).isEqualTo(Reaction.RESYNC);
        }
    }

    @Test
    void otherEventsAreIgnored() {
        assertThat(parse(captured("instance-exec", "/1.0/instances/c1")).orElseThrow().reaction())
                .isEqualTo(Reaction.IGNORE);
        assertThat(parse(captured("instance-created", "/1.0/instances/c1")).orElseThrow().reaction())
                .isEqualTo(Reaction.IGNORE);
        LxdEvent project = parse(captured("project-created", "/1.0/projects/p2")).orElseThrow();
        assertThat(project.instance()).isEmpty();
        assertThat(project.reaction()).isEqualTo(Reaction.IGNORE);
        String snapshot = captured("instance-started", "/1.0/instances/c1").replace("/1.0/instances/c1",
                "/1.0/instances/c1/snapshots/s1");
        assertThat(parse(snapshot).orElseThrow().reaction()).isEqualTo(Reaction.IGNORE);
    }

    @Test
    void malformedOrUnknownMessagesAreEmptyAndLoggedOnce() {
        String started = captured("instance-started", "/1.0/instances/c1");
        List<String> bad = List.of("{", "[]", "42", "{\"type\":7}",
                started.replace("\"type\":\"lifecycle\"", "\"type\":\"logging\""),
                started.replace("\"action\":\"instance-started\"", "\"action\":5"),
                started.replace("\"source\":\"/1.0/instances/c1\"", "\"source\":null"),
                started.replaceAll("\"metadata\":\\{.*\\},\"project\"", "\"metadata\":null,\"project\""));
        for (String text : bad) {
            assertThat(parse(text)).as(text).isEmpty();
            assertThat(parse(text)).as(text).isEmpty();
        }
        assertThat(logged).hasSize(bad.size());
        assertThat(logged).anySatisfy(line -> assertThat(line).contains("type logging", "lifecycle events only"));
    }

    @Test
    void aBadEscapeInTheSourceDoesNotThrow() {
        String text = captured("instance-started", "/1.0/instances/c1").replace("/1.0/instances/c1",
                "/1.0/instances/c%zz?project=%");
        LxdEvent event = parse(text).orElseThrow();
        assertThat(event.instance()).contains("c%zz");
        assertThat(event.project()).isEqualTo("%");
    }
}
