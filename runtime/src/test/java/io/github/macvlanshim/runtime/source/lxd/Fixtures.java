package io.github.macvlanshim.runtime.source.lxd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON captured from a real LXD 5.0.2 (see resources lxd-json/captured-by-source/README.md). */
final class Fixtures {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIR = "/lxd-json/captured-by-source/";

    private Fixtures() {
    }

    static String text(String name) {
        return resource(DIR + name);
    }

    /**
     * A file of lxd-json/ (see its README.md: made by the lab's CaptureLxdFixtures, `lxc query` output, so the
     * content of the metadata without the envelope).
     */
    static JsonNode queried(String name) {
        try {
            return JSON.readTree(resource("/lxd-json/" + name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The metadata of a captured sync response, as a fresh tree that a test may change. */
    static JsonNode metadata(String name) {
        try {
            return JSON.readTree(text(name)).get("metadata");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The captured instance named {@code name} in a copy of {@code instances}. */
    static ObjectNode instance(JsonNode instances, String name) {
        for (JsonNode instance : instances) {
            if (instance.path("name").asText().equals(name)) {
                return (ObjectNode) instance;
            }
        }
        throw new IllegalStateException("no instance " + name);
    }

    /** The events `lxc monitor --format=json` printed, one JSON text each (not its own closing error line). */
    static List<String> events() {
        return Arrays.stream(text("events-monitor.txt").split("\n\\s*\n")).map(String::strip)
                .filter(s -> s.startsWith("{")).toList();
    }
}
