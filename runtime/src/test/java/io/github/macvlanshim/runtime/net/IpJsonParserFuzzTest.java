package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;

import io.github.macvlanshim.runtime.fuzz.Fuzzing;
import io.github.macvlanshim.runtime.fuzz.Fuzzing.Outcome;
import io.github.macvlanshim.runtime.fuzz.JsonMutator;

/**
 * Seeded mutation fuzzing of {@link IpJsonParser} over the iproute2 output captured in ip-json/: whatever the
 * text, the parser either returns a state in which every name and address is one the engine may use, or
 * throws {@link HostNetworkException} with a message of its own (not the backstop's wrapped runtime exception).
 * A failure names the seed of its case and how to replay it.
 */
class IpJsonParserFuzzTest {

    private static final Fuzzing FUZZ = new Fuzzing(0x1b5e_0001L, 10_000, Set.of("ifname", "ifindex", "mtu", "flags",
            "link", "linkinfo", "info_kind", "info_data", "mode", "addr_info", "family", "local", "prefixlen", "scope",
            "tentative", "dst", "dev", "gateway", "prefsrc", "protocol", "metric", "type", "interface", "forwarding",
            "proxy_neigh"));

    private static final List<List<JsonNode>> FIRST = List.of(values("host-links-routes4.json"),
            values("container-links-routes4.json"), values("empty-links-routes4.json"));
    private static final List<List<JsonNode>> SECOND = List.of(values("host-routes6-proxy-netconf.json"),
            values("empty-routes6-proxy-netconf.json"));

    private static List<JsonNode> values(String name) {
        try (InputStream in = IpJsonParserFuzzTest.class.getResourceAsStream("/ip-json/" + name);
                JsonParser parser = JsonMutator.JSON.createParser(new String(in.readAllBytes(), StandardCharsets.UTF_8))) {
            List<JsonNode> values = new ArrayList<>();
            JsonNode value;
            while ((value = JsonMutator.JSON.readTree(parser)) != null) {
                values.add(value);
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String unmutated(List<JsonNode> values) {
        StringBuilder text = new StringBuilder();
        values.forEach(value -> text.append(value).append('\n'));
        return text.toString();
    }

    @Test
    void theCapturedOutputParses() throws HostNetworkException {
        for (List<JsonNode> first : FIRST) {
            for (List<JsonNode> second : SECOND) {
                assertValid(IpJsonParser.parse(unmutated(first), unmutated(second)), "unmutated");
            }
        }
    }

    @Test
    void mutatedOutputGivesAValidStateOrANamedFailureAndNothingElse() {
        Fuzzing.Tally tally = FUZZ.run(fuzz -> {
            JsonMutator mutator = fuzz.mutator();
            List<JsonNode> first = FIRST.get(mutator.random().nextInt(FIRST.size()));
            List<JsonNode> second = SECOND.get(mutator.random().nextInt(SECOND.size()));
            int which = mutator.random().nextInt(3);
            String linksAndIpv4 = which != 1 ? mutator.mutateStream(first) : unmutated(first);
            String ipv6 = which != 0 ? mutator.mutateStream(second) : unmutated(second);
            try {
                assertValid(IpJsonParser.parse(linksAndIpv4, ipv6), fuzz.replay());
                return Outcome.PARSED;
            } catch (HostNetworkException e) {
                assertThat(e.getCause()).as(fuzz.replay() + ": the parser's own checks should have named the problem, got "
                        + e.getMessage()).isNull();
                assertThat(e.getMessage()).as(fuzz.replay()).startsWith("unexpected ip output: ");
                return Outcome.REFUSED;
            }
        });
        // Both outcomes must be common, or the mutations are too weak or too strong to say anything.
        assertThat(tally.parsed()).as("cases that still parsed").isGreaterThan(FUZZ.cases() / 20);
        assertThat(tally.refused()).as("cases refused").isGreaterThan(FUZZ.cases() / 5);
    }

    private static String cut(String text) {
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    static void assertValid(NetworkState state, String replay) {
        state.links().forEach((name, link) -> {
            assertThat(InterfaceNames.problem(name)).as(replay + ": link name " + cut(name)).isNull();
            assertThat(link.name()).isEqualTo(name);
            assertThat(link.index()).as(replay).isNotNegative();
            assertThat(link.mtu()).as(replay).isNotNegative();
            link.parent().ifPresent(parent -> assertThat(InterfaceNames.problem(parent)).as(replay + ": parent of "
                    + name + " " + cut(parent)).isNull());
            link.addresses().forEach(address -> assertThat(address.prefixLength()).as(replay + ": " + address)
                    .isBetween(0, address.address().getAddress().length * 8));
        });
        for (KernelRoute route : state.routes()) {
            Class<? extends InetAddress> family = route.destination().isIpv4() ? Inet4Address.class : Inet6Address.class;
            route.device().ifPresent(device -> assertThat(InterfaceNames.problem(device)).as(replay + ": device of "
                    + cut(route.toString())).isNull());
            route.gateway().ifPresent(gateway -> assertThat(gateway).as(replay + ": " + route).isInstanceOf(family));
            route.source().ifPresent(source -> assertThat(source).as(replay + ": " + route).isInstanceOf(family));
            assertThat(route.destination()).isEqualTo(IpPrefix.parse(route.destination().toString()));
            assertThat(route.protocol()).as(replay + ": " + route).isBetween(0, 255);
        }
        for (ProxyNeighbour neighbour : state.proxyNeighbours()) {
            assertThat(InterfaceNames.problem(neighbour.device())).as(replay + ": " + neighbour).isNull();
            assertThat(((Inet6Address) neighbour.address()).getScopeId()).as(replay + ": " + neighbour).isZero();
        }
    }
}
