package io.github.macvlanshim.runtime.source.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON captured from a real Docker 20.10 engine and Podman 4.3 service (resources docker-json/README.md). */
final class DockerFixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    private DockerFixtures() {
    }

    static String text(String name) {
        try (InputStream in = DockerFixtures.class.getResourceAsStream("/docker-json/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture docker-json/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh tree of the file, which a test may change. */
    static JsonNode tree(String name) {
        try {
            return JSON.readTree(text(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of an events capture. */
    static List<String> events(String name) {
        return text(name).lines().filter(line -> !line.isBlank()).toList();
    }
}
