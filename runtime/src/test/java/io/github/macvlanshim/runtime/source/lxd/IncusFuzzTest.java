package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.macvlanshim.runtime.fuzz.Fuzzing;
import io.github.macvlanshim.runtime.fuzz.Fuzzing.Outcome;
import io.github.macvlanshim.runtime.fuzz.JsonMutator;
import io.github.macvlanshim.runtime.fuzz.UsableEndpoints;
import io.github.macvlanshim.runtime.net.InterfaceNames;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.UnroutableNic;

/**
 * Seeded mutation fuzzing of {@link LxdEndpoints} over the answers captured from a real Incus 6.0.4
 * (lxd-json/incus/), with its VLAN and mode NICs made running: whatever Incus answers, the parser returns usable
 * endpoints and well-formed unroutable NICs, or throws {@link SourceException}; nothing else escapes. A failure
 * names its seed and how to replay it.
 */
class IncusFuzzTest {

    private static final Fuzzing FUZZ = new Fuzzing(0x1c_0001L, 5_000, Set.of("environment", "server",
            "server_clustered", "name", "type", "managed", "config", "parent", "vlan", "mode", "project", "status",
            "location", "expanded_devices", "nictype", "network", "state", "addresses", "family", "address", "scope"));
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,62}");
    private static final UsableEndpoints USABLE = new UsableEndpoints("incus", PLAIN_NAME.asMatchPredicate(),
            PLAIN_NAME.asMatchPredicate(), UsableEndpoints.INTERFACE);

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
        Fuzzing.Tally tally = FUZZ.run(fuzz -> {
            JsonMutator mutator = fuzz.mutator();
            int which = mutator.random().nextInt(4);
            JsonNode server = which == 0 ? mutator.mutateTree(SERVER.deepCopy()) : SERVER;
            JsonNode networks = which == 1 ? mutator.mutateTree(NETWORKS.deepCopy()) : NETWORKS;
            JsonNode instances = which >= 2 ? mutator.mutateTree(INSTANCES.deepCopy()) : INSTANCES;
            try {
                LxdEndpoints.Listing listing = new LxdEndpoints("incus", fuzz.problems()).listing(server, networks,
                        instances);
                listing.endpoints().forEach(endpoint -> USABLE.check(endpoint, fuzz.replay()));
                listing.unroutable().values().stream().flatMap(List::stream)
                        .forEach(nic -> assertWellFormed(nic, fuzz.replay()));
                return Outcome.PARSED;
            } catch (SourceException e) {
                assertThat(e.getMessage()).as(fuzz.replay()).startsWith("GET /1.0");
                return Outcome.REFUSED;
            }
        });
        assertThat(tally.parsed()).as("cases that still parsed").isGreaterThan(FUZZ.cases() / 4);
    }

    private static void assertWellFormed(UnroutableNic nic, String replay) {
        String what = replay + ": " + nic;
        assertThat(nic.instance()).as(what).matches(PLAIN_NAME);
        assertThat(InterfaceNames.problem(nic.nic())).as(what).isNull();
        assertThat(nic.toString()).as(what).doesNotContain("\n", "\r", "\u0000");
        assertThat(nic.why()).as(what).isNotBlank();
    }
}
