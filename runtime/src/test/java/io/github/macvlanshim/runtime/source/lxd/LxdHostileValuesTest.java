package io.github.macvlanshim.runtime.source.lxd;

import static io.github.macvlanshim.runtime.source.lxd.Fixtures.instance;
import static io.github.macvlanshim.runtime.source.lxd.Fixtures.metadata;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;

/**
 * Hostile names and addresses in LXD's answer never reach an {@link Endpoint}: the instance or NIC that carries
 * one is dropped (with one escaped problem line), and every other instance keeps its endpoints.
 */
class LxdHostileValuesTest {

    private final List<String> logged = new ArrayList<>();
    private final LxdEndpoints parser = new LxdEndpoints("lxd", new ProblemLog(logged::add));
    private final JsonNode server = metadata("server.json");
    private final JsonNode networks = metadata("networks.json");

    /** c1's endpoints after {@code edit} changed its captured JSON; the others' must be untouched. */
    private List<Endpoint> c1After(BiConsumer<ObjectNode, String> edit, String value) throws SourceException {
        JsonNode clean = metadata("instances-recursion2.json");
        List<Endpoint> before = parser.endpoints(server, networks, clean);
        JsonNode instances = metadata("instances-recursion2.json");
        edit.accept(instance(instances, "c1"), value);
        List<Endpoint> after = parser.endpoints(server, networks, instances);
        assertThat(after).containsAll(before.stream().filter(e -> !e.instance().equals("c1")).toList());
        assertThat(logged).allSatisfy(line -> assertThat(line).doesNotContain("\n", "\r", "\u0000"));
        assertThat(after).allSatisfy(e -> assertThat(e.toString()).doesNotContain(value.isEmpty() ? "\u0001" : value));
        return after.stream().filter(e -> e.instance().equals("c1")).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = { "-batch", "dev", "help", "eth0 up", "1.2.3.4 via", "eth0\nlink del eth0", "eth\u0000",
            "sixteen-bytes-xx", "..", "eth0/1", "" })
    void aHostileNicNameOrParentDropsThatNic(String name) throws SourceException {
        assertThat(c1After((c1, value) -> ((ObjectNode) c1.get("expanded_devices").get("eth0")).put("name", value), name))
                .isEmpty();
        assertThat(c1After((c1, value) -> ((ObjectNode) c1.get("expanded_devices").get("eth0")).put("parent", value), name))
                .isEmpty();
        assertThat(logged).anySatisfy(line -> assertThat(line).contains("default/c1", "NIC skipped"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "-batch", "c1 via", "c1\nlink del eth0", "c\u0000", "..", "c1/../c2", " c1", "" })
    void aHostileInstanceNameDropsTheInstance(String name) throws SourceException {
        assertThat(c1After((c1, value) -> c1.put("name", value), name)).isEmpty();
        assertThat(logged).anySatisfy(line -> assertThat(line).contains("skipped: name is"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "999.1.1.1", "fe80::1%eth0", "example.org", "-batch", "1.2.3.4 via 5.6.7.8", "localhost",
            "198.51.100.201/24", "198.51.100.201 dev lo", "::ffff:198.51.100.201", "127.0.0.1", "0.0.0.0", "" })
    void aHostileAddressDropsThatAddressOnly(String address) throws SourceException {
        List<Endpoint> c1 = c1After((instance, value) -> {
            for (JsonNode entry : instance.get("state").get("network").get("eth0").get("addresses")) {
                if (((ObjectNode) entry).path("family").asText().equals("inet")
                        && entry.path("scope").asText().equals("global")) {
                    ((ObjectNode) entry).put("address", value);
                }
            }
        }, address);
        // The IPv6 address of the same NIC stays.
        assertThat(c1).extracting(e -> e.prefix().toString()).containsExactly("2001:db8:100::201/128");
    }
}
