package io.github.macvlanshim.runtime.source.lxd;

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
import com.fasterxml.jackson.databind.node.NullNode;

import io.github.macvlanshim.runtime.fuzz.JsonMutator;
import io.github.macvlanshim.runtime.net.InterfaceNames;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;

/**
 * Seeded mutation fuzzing of {@link LxdEndpoints} and {@link LxdEvent} over the answers captured from a real
 * LXD (lxd-json/captured-by-source/). Whatever LXD answers, the parser returns endpoints that are all usable, or
 * throws {@link SourceException} (the reconciler then keeps the last good snapshot); one bad instance never
 * costs another its endpoints; an event is parsed or empty. A failure names its seed; {@code -Dfuzz.seed=N
 * -Dfuzz.cases=1} replays it.
 */
class LxdFuzzTest {

    private static final int CASES = Integer.getInteger("fuzz.cases", 10_000);
    private static final long SEED = Long.getLong("fuzz.seed", 0x1d_0001L);
    private static final Set<String> INTERESTING = Set.of("environment", "server_clustered", "server_name", "name",
            "type", "managed", "config", "parent", "project", "status", "location", "expanded_devices", "nictype",
            "network", "state", "addresses", "family", "address", "scope", "metadata", "action", "source");
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,62}");

    private static final JsonNode SERVER = envelope("server.json");
    private static final JsonNode NETWORKS = envelope("networks.json");
    private static final JsonNode INSTANCES = envelope("instances-recursion2.json");
    private static final List<JsonNode> EVENTS = Fixtures.events().stream().map(LxdFuzzTest::tree).toList();

    private static JsonNode envelope(String name) {
        return tree(Fixtures.text(name));
    }

    private static JsonNode tree(String text) {
        try {
            return Fixtures.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The metadata {@link LxdClient#get} hands on for a response body, or empty where it throws LxdException
     * (a SourceException) itself: not JSON, not an object, not a sync response.
     */
    private static Optional<JsonNode> metadataAsTheClientReadsIt(String body) {
        JsonNode envelope;
        try {
            envelope = Fixtures.JSON.readTree(body);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
        if (envelope == null || !envelope.isObject() || !"sync".equals(envelope.path("type").asText())) {
            return Optional.empty();
        }
        JsonNode metadata = envelope.get("metadata");
        return Optional.of(metadata == null ? NullNode.getInstance() : metadata);
    }

    private static List<Endpoint> baseline() throws SourceException {
        return new LxdEndpoints("lxd", new ProblemLog(line -> {
        })).endpoints(SERVER.get("metadata"), NETWORKS.get("metadata"), INSTANCES.get("metadata"));
    }

    @Test
    void mutatedAnswersGiveUsableEndpointsOrASourceExceptionAndNothingElse() throws SourceException {
        assertThat(baseline()).hasSize(4);
        int parsed = 0;
        int refused = 0;
        for (int i = 0; i < CASES; i++) {
            long seed = SEED + i;
            String replay = "case seed " + seed + " (replay with -Dfuzz.seed=" + seed + " -Dfuzz.cases=1)";
            JsonMutator mutator = new JsonMutator(seed, INTERESTING);
            int which = mutator.random().nextInt(5);
            Optional<JsonNode> server = metadataAsTheClientReadsIt(which == 0 ? mutator.mutate(SERVER) : SERVER.toString());
            Optional<JsonNode> networks = metadataAsTheClientReadsIt(which == 1 ? mutator.mutate(NETWORKS) : NETWORKS.toString());
            Optional<JsonNode> instances = metadataAsTheClientReadsIt(which >= 2 ? mutator.mutate(INSTANCES) : INSTANCES.toString());
            if (server.isEmpty() || networks.isEmpty() || instances.isEmpty()) {
                refused++;
                continue;
            }
            List<String> problems = new ArrayList<>();
            try {
                List<Endpoint> endpoints = new LxdEndpoints("lxd", new ProblemLog(problems::add)).endpoints(server.get(),
                        networks.get(), instances.get());
                endpoints.forEach(endpoint -> assertUsable(endpoint, replay));
                parsed++;
            } catch (SourceException e) {
                assertThat(e.getMessage()).as(replay).startsWith("GET /1.0");
                refused++;
            } catch (RuntimeException | Error e) {
                throw new AssertionError(replay + ": " + e + " escaped LxdEndpoints", e);
            }
            problems.forEach(line -> assertThat(line).as(replay + ": a problem line is one line")
                    .doesNotContain("\n", "\r", "\u0000"));
        }
        assertThat(parsed).as("cases that still parsed").isGreaterThan(CASES / 4);
        assertThat(refused).as("cases refused").isGreaterThan(CASES / 50);
    }

    @Test
    void aMutatedInstanceNeverCostsAnotherInstanceItsEndpoints() throws SourceException {
        List<Endpoint> baseline = baseline();
        JsonNode server = SERVER.get("metadata");
        JsonNode networks = NETWORKS.get("metadata");
        int cases = CASES / 2;
        for (int i = 0; i < cases; i++) {
            long seed = SEED + 1_000_000 + i;
            String replay = "case seed " + seed;
            JsonMutator mutator = new JsonMutator(seed, INTERESTING);
            ArrayNode instances = INSTANCES.get("metadata").deepCopy();
            int victim = mutator.random().nextInt(instances.size());
            String victimName = instances.get(victim).path("name").asText();
            JsonNode mutated = instances.get(victim);
            for (int m = 1 + mutator.random().nextInt(3); m > 0; m--) {
                mutated = mutator.mutateTree(mutated);
            }
            instances.set(victim, mutated);
            List<Endpoint> endpoints;
            try {
                endpoints = new LxdEndpoints("lxd", new ProblemLog(line -> {
                })).endpoints(server, networks, instances);
            } catch (RuntimeException | Error e) {
                throw new AssertionError(replay + ": " + e + " escaped LxdEndpoints", e);
            }
            endpoints.forEach(endpoint -> assertUsable(endpoint, replay));
            assertThat(endpoints).as(replay + ": instance " + victimName + " was mutated; the others must stay")
                    .containsAll(baseline.stream().filter(e -> !e.instance().equals(victimName)).toList());
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
                Optional<LxdEvent> event = LxdEvent.parse(text, Fixtures.JSON, new ProblemLog(line -> assertThat(line)
                        .as(replay + ": a problem line is one line").doesNotContain("\n", "\r", "\u0000")));
                if (event.isPresent()) {
                    parsed++;
                    event.get().reaction();
                    event.get().instance().ifPresent(name -> assertThat(name).as(replay).isNotEmpty());
                }
            } catch (RuntimeException | Error e) {
                throw new AssertionError(replay + ": " + e + " escaped LxdEvent.parse", e);
            }
        }
        assertThat(parsed).isGreaterThan(CASES / 10);
    }

    private static void assertUsable(Endpoint endpoint, String replay) {
        String what = replay + ": " + cut(endpoint.toString());
        assertThat(endpoint.source()).as(what).isEqualTo("lxd");
        assertThat(endpoint.instance()).as(what).matches(PLAIN_NAME);
        assertThat(endpoint.project()).as(what).matches(PLAIN_NAME);
        assertThat(InterfaceNames.problem(endpoint.nic())).as(what).isNull();
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
