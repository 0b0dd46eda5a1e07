package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;

/**
 * {@link LxdClient#eachElement}: a listing read from the socket an element at a time gives what the whole tree
 * gives, and an answer of the wrong shape is named, never taken for "no instances".
 */
class LxdListingStreamTest {

    private static final String LISTING = Fixtures.text("instances-recursion2.json");

    /**
     * The bytes of {@code text}, counting how many the parser has taken so far, in reads of at most 512 bytes: the
     * parser's buffer cannot take the whole answer at once.
     */
    private static final class CountingStream extends ByteArrayInputStream {

        CountingStream(String text) {
            super(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 512));
        }

        int taken() {
            return pos;
        }

        int length() {
            return count;
        }
    }

    private static Optional<String> read(InputStream body, List<JsonNode> into) throws IOException {
        try (var parser = Fixtures.JSON.createParser(body)) {
            return LxdClient.eachElement(parser, into::add);
        }
    }

    private static Optional<String> read(String body) throws IOException {
        return read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), new ArrayList<>());
    }

    @Test
    void theElementsAreTheTreesElementsInOrder() throws IOException {
        List<JsonNode> elements = new ArrayList<>();

        assertThat(read(new ByteArrayInputStream(LISTING.getBytes(StandardCharsets.UTF_8)), elements)).isEmpty();

        List<JsonNode> tree = new ArrayList<>();
        Fixtures.metadata("instances-recursion2.json").forEach(tree::add);
        assertThat(tree).hasSizeGreaterThan(3);
        assertThat(elements).isEqualTo(tree);
    }

    @Test
    void eachElementIsHandedOverBeforeTheRestIsRead() throws IOException {
        CountingStream body = new CountingStream(LISTING);
        List<Integer> takenAtEach = new ArrayList<>();

        try (var parser = Fixtures.JSON.createParser(body)) {
            assertThat(LxdClient.eachElement(parser, element -> takenAtEach.add(body.taken()))).isEmpty();
        }

        assertThat(takenAtEach).hasSizeGreaterThan(3);
        assertThat(takenAtEach.get(0)).as("bytes read when the first instance is handed over")
                .isLessThan(body.length() / 2);
        assertThat(takenAtEach).isSorted();
    }

    @Test
    void theStreamedListingGivesTheTreesEndpoints() throws Exception {
        JsonNode server = Fixtures.metadata("server.json");
        JsonNode networks = Fixtures.metadata("networks.json");
        LxdEndpoints parser = new LxdEndpoints("lxd", new ProblemLog(line -> {
        }));
        LxdEndpoints.Listed listed = parser.listed(server, networks);
        List<JsonNode> elements = new ArrayList<>();
        read(new ByteArrayInputStream(LISTING.getBytes(StandardCharsets.UTF_8)), elements);
        elements.forEach(listed::add);

        List<Endpoint> streamed = listed.listing().endpoints();

        assertThat(streamed).hasSize(4)
                .isEqualTo(parser.endpoints(server, networks, Fixtures.metadata("instances-recursion2.json")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "async answer | {\"type\":\"async\",\"metadata\":[]} | a response of type async, expected a sync response",
        "no type | {\"metadata\":[]} | a response of type (none), expected a sync response",
        "metadata an object | {\"type\":\"sync\",\"metadata\":{\"a\":1}} | metadata {\"a\":1}, expected an array",
        "no metadata | {\"type\":\"sync\"} | metadata (none), expected an array",
        "metadata twice | {\"type\":\"sync\",\"metadata\":[],\"metadata\":[]} | metadata twice, expected one array",
        "not an object | [1,2] | [1,2], expected a sync response object",
        "empty body | '' | null, expected a sync response object",
    })
    void anAnswerOfTheWrongShapeIsNamed(String what, String body, String expected) throws IOException {
        assertThat(read(body)).as(what).contains(expected);
    }

    @Test
    void typeAfterTheMetadataStillCounts() throws IOException {
        List<JsonNode> elements = new ArrayList<>();

        String body = "{\"metadata\":[{\"name\":\"c1\"}],\"status\":\"Success\",\"type\":\"sync\"}";

        Optional<String> wrong = read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), elements);

        assertThat(wrong).isEmpty();
        assertThat(elements).extracting(e -> e.path("name").asText()).containsExactly("c1");
    }

    @Test
    void jsonThatDoesNotParseOrEndsEarlyThrows() {
        assertThatThrownBy(() -> read("{\"type\":\"sync\",\"metadata\":[{\"name\":")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> read("<html>502</html>")).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> read(LISTING.substring(0, LISTING.length() / 2))).isInstanceOf(IOException.class);
    }

    @Test
    void aListingOfNothingButUrlsIsRefusedWholeWithNoLineForEach() throws SourceException {
        List<String> problems = new ArrayList<>();
        LxdEndpoints.Listed listed = new LxdEndpoints("lxd", new ProblemLog(problems::add))
                .listed(Fixtures.metadata("server.json"), Fixtures.metadata("networks.json"));
        listed.add(Fixtures.JSON.getNodeFactory().textNode("/1.0/instances/c1"));
        listed.add(Fixtures.JSON.getNodeFactory().textNode("/1.0/instances/c2"));

        assertThatThrownBy(listed::listing).isInstanceOf(SourceException.class)
                .hasMessageContaining("did not honour the recursion asked for");
        assertThat(problems).isEmpty();
    }
}
