package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.macvlanshim.runtime.fuzz.JsonMutator;
import io.github.macvlanshim.runtime.net.InterfaceNames;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.UnroutableNic;

/**
 * Seeded mutation fuzzing of {@link LxdEndpoints} over the answers captured from a real Incus 6.0.4
 * (lxd-json/incus/), with its VLAN and mode NICs made running: whatever Incus answers, the parser returns usable
 * endpoints and well-formed unroutable NICs, or throws {@link SourceException}; nothing else escapes. A failure
 * names its seed; {@code -Dfuzz.seed=N -Dfuzz.cases=1} replays it.
 */
class IncusFuzzTest {

    private static final int CASES = Integer.getInteger("fuzz.cases", 5_000);
    private static final long SEED = Long.getLong("fuzz.seed", 0x1c_0001L);
    private static final Set<String> INTERESTING = Set.of("environment", "server", "server_clustered", "name", "type",
            "managed", "config", "parent", "vlan", "mode", "project", "status", "location", "expanded_devices",
            "nictype", "network", "state", "addresses", "family", "address", "scope");
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,62}");

    private static final JsonNode SERVER = Fixtures.queried("incus/server.json");
    private static final JsonNode NETWORKS = Fixtures.queried("incus/networks.json");
    private static final JsonNode INSTANCES = allRunning((ArrayNode) Fixtures.queried("incus/instances-recursion2-all-projects.json"));

    /** Every captured instance running with b1's state, so that every NIC shape reaches the parser. */
    private static JsonNode allRunning(ArrayNode instances) {
        JsonNode state = Fixtures.instance(instances, "b1").get("state");
        for (JsonNode instance : instances) {
            ((ObjectNode) instance).put("status", "Running").set("state", state.deepCopy());
        }
        return instances;
    }

    @Test
    void mutatedIncusAnswersGiveUsableEndpointsOrASourceExceptionAndNothingElse() throws SourceException {
        LxdEndpoints.Listing baseline = new LxdEndpoints("incus", new ProblemLog(line -> {
        })).listing(SERVER, NETWORKS, INSTANCES);
        assertThat(baseline.endpoints()).hasSize(8);
        assertThat(baseline.unroutable()).hasSize(3);
        int parsed = 0;
        for (int i = 0; i < CASES; i++) {
            long seed = SEED + i;
            String replay = "case seed " + seed + " (replay with -Dfuzz.seed=" + seed + " -Dfuzz.cases=1)";
            JsonMutator mutator = new JsonMutator(seed, INTERESTING);
            int which = mutator.random().nextInt(4);
            JsonNode server = which == 0 ? mutator.mutateTree(SERVER.deepCopy()) : SERVER;
            JsonNode networks = which == 1 ? mutator.mutateTree(NETWORKS.deepCopy()) : NETWORKS;
            JsonNode instances = which >= 2 ? mutator.mutateTree(INSTANCES.deepCopy()) : INSTANCES;
            List<String> problems = new ArrayList<>();
            try {
                LxdEndpoints.Listing listing = new LxdEndpoints("incus", new ProblemLog(problems::add)).listing(server,
                        networks, instances);
                listing.endpoints().forEach(endpoint -> assertUsable(endpoint, replay));
                listing.unroutable().values().stream().flatMap(List::stream)
                        .forEach(nic -> assertWellFormed(nic, replay));
                parsed++;
            } catch (SourceException e) {
                assertThat(e.getMessage()).as(replay).startsWith("GET /1.0");
            } catch (RuntimeException | Error e) {
                throw new AssertionError(replay + ": " + e + " escaped LxdEndpoints", e);
            }
            problems.forEach(line -> assertThat(line).as(replay + ": a problem line is one line")
                    .doesNotContain("\n", "\r", "\u0000"));
        }
        assertThat(parsed).as("cases that still parsed").isGreaterThan(CASES / 4);
    }

    private static void assertUsable(Endpoint endpoint, String replay) {
        String what = replay + ": " + endpoint;
        assertThat(endpoint.source()).as(what).isEqualTo("incus");
        assertThat(endpoint.instance()).as(what).matches(PLAIN_NAME);
        assertThat(endpoint.project()).as(what).matches(PLAIN_NAME);
        assertThat(InterfaceNames.problem(endpoint.nic())).as(what).isNull();
        assertThat(InterfaceNames.problem(endpoint.parent())).as(what).isNull();
        assertThat(endpoint.prefix().isHost()).as(what).isTrue();
    }

    private static void assertWellFormed(UnroutableNic nic, String replay) {
        String what = replay + ": " + nic;
        assertThat(nic.instance()).as(what).matches(PLAIN_NAME);
        assertThat(InterfaceNames.problem(nic.nic())).as(what).isNull();
        assertThat(nic.toString()).as(what).doesNotContain("\n", "\r", "\u0000");
        assertThat(nic.why()).as(what).isNotBlank();
    }
}
