package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import io.github.macvlanshim.runtime.fuzz.Fuzzing;
import io.github.macvlanshim.runtime.fuzz.Fuzzing.Outcome;
import io.github.macvlanshim.runtime.fuzz.JsonMutator;
import io.github.macvlanshim.runtime.fuzz.UsableEndpoints;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;

/**
 * Seeded mutation fuzzing of {@link LxdEndpoints} and {@link LxdEvent} over the answers captured from a real
 * LXD (lxd-json/captured-by-source/). Whatever LXD answers, the parser returns endpoints that are all usable, or
 * throws {@link SourceException} (the reconciler then keeps the last good snapshot); one bad instance never
 * costs another its endpoints; an event is parsed or empty. A failure names its seed and how to replay it.
 */
class LxdFuzzTest {

    private static final Fuzzing FUZZ = new Fuzzing(0x1d_0001L, 10_000, Set.of("environment", "server_clustered",
            "server_name", "name", "type", "managed", "config", "parent", "project", "status", "location",
            "expanded_devices", "nictype", "network", "state", "addresses", "family", "address", "scope", "metadata",
            "action", "source"));
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,62}");
    private static final UsableEndpoints USABLE = new UsableEndpoints("lxd", PLAIN_NAME.asMatchPredicate(),
            PLAIN_NAME.asMatchPredicate(), UsableEndpoints.INTERFACE);

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
     * The metadata {@link LxdClient#get} hands on for a response body (the server's, the networks'), or empty where
     * it throws LxdException (a SourceException) itself: not JSON, not an object, not a sync response.
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

    /**
     * Hands {@code body}'s instances to {@code listed} as {@link LxdClient#getEach} does, element by element from
     * the stream; false where the client throws LxdException itself (not JSON, not a sync response, no array).
     */
    private static boolean listedAsTheClientReadsIt(String body, LxdEndpoints.Listed listed) {
        try (var parser = Fixtures.JSON.createParser(body)) {
            return LxdClient.eachElement(parser, listed::add).isEmpty();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static List<Endpoint> baseline() throws SourceException {
        return new LxdEndpoints("lxd", new ProblemLog(line -> {
        })).endpoints(SERVER.get("metadata"), NETWORKS.get("metadata"), INSTANCES.get("metadata"));
    }

    @Test
    void mutatedAnswersGiveUsableEndpointsOrASourceExceptionAndNothingElse() throws SourceException {
        assertThat(baseline()).hasSize(4);
        Fuzzing.Tally tally = FUZZ.run(fuzz -> {
            JsonMutator mutator = fuzz.mutator();
            int which = mutator.random().nextInt(5);
            Optional<JsonNode> server = metadataAsTheClientReadsIt(which == 0 ? mutator.mutate(SERVER) : SERVER.toString());
            Optional<JsonNode> networks = metadataAsTheClientReadsIt(which == 1 ? mutator.mutate(NETWORKS) : NETWORKS.toString());
            String instances = which >= 2 ? mutator.mutate(INSTANCES) : INSTANCES.toString();
            if (server.isEmpty() || networks.isEmpty()) {
                return Outcome.REFUSED;
            }
            try {
                LxdEndpoints.Listed listed = new LxdEndpoints("lxd", fuzz.problems())
                        .listed(server.get(), networks.get());
                if (!listedAsTheClientReadsIt(instances, listed)) {
                    return Outcome.REFUSED;
                }
                listed.listing().endpoints().forEach(endpoint -> USABLE.check(endpoint, fuzz.replay()));
                return Outcome.PARSED;
            } catch (SourceException e) {
                assertThat(e.getMessage()).as(fuzz.replay()).startsWith("GET /1.0");
                return Outcome.REFUSED;
            }
        });
        assertThat(tally.parsed()).as("cases that still parsed").isGreaterThan(FUZZ.cases() / 4);
        assertThat(tally.refused()).as("cases refused").isGreaterThan(FUZZ.cases() / 50);
    }

    @Test
    void aMutatedInstanceNeverCostsAnotherInstanceItsEndpoints() throws SourceException {
        List<Endpoint> baseline = baseline();
        JsonNode server = SERVER.get("metadata");
        JsonNode networks = NETWORKS.get("metadata");
        FUZZ.run(1_000_000, Math.max(1, FUZZ.cases() / 2), fuzz -> {
            JsonMutator.OneMutated instances = fuzz.mutator().mutateOneElement(INSTANCES.get("metadata"));
            List<Endpoint> endpoints = new LxdEndpoints("lxd", fuzz.problems()).endpoints(server, networks,
                    instances.array());
            endpoints.forEach(endpoint -> USABLE.check(endpoint, fuzz.replay()));
            UsableEndpoints.assertOthersKept(endpoints, baseline, instances.victim().path("name").asText(),
                    fuzz.replay());
            return Outcome.PARSED;
        });
    }

    @Test
    void mutatedEventsAreParsedOrEmptyAndNeverThrow() {
        Fuzzing.Tally tally = FUZZ.run(2_000_000, FUZZ.cases(), fuzz -> {
            JsonMutator mutator = fuzz.mutator();
            String text = mutator.mutate(EVENTS.get(mutator.random().nextInt(EVENTS.size())));
            Optional<LxdEvent> event = LxdEvent.parse(text, Fixtures.JSON, fuzz.problems());
            if (event.isEmpty()) {
                return Outcome.REFUSED;
            }
            event.get().reaction();
            event.get().instance().ifPresent(name -> assertThat(name).as(fuzz.replay()).isNotEmpty());
            return Outcome.PARSED;
        });
        assertThat(tally.parsed()).isGreaterThan(FUZZ.cases() / 10);
    }
}
