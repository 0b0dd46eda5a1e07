package io.github.macvlanshim.runtime.source.lxd;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.macvlanshim.runtime.net.UntrustedText;
import io.github.macvlanshim.runtime.source.JsonText;

/**
 * One message of LXD's /1.0/events stream, such as
 * {@code {"type":"lifecycle","metadata":{"action":"instance-started","source":"/1.0/instances/c1?project=p2"},
 * "project":"p2","location":"none"}}. Pure.
 *
 * @param type the event type ("lifecycle")
 * @param action the lifecycle action ("instance-started")
 * @param source the API path of what the event is about ("/1.0/instances/c1", maybe with {@code ?project=})
 * @param project the project, from the source's {@code project} parameter, else the message's, else "default"
 * @param location the cluster member it happened on ("none" when not clustered, "" when absent)
 */
public record LxdEvent(String type, String action, String source, String project, String location) {

    private static final String INSTANCES = "/1.0/instances/";
    private static final Set<String> AWAIT_ADDRESS = Set.of("instance-started", "instance-restarted",
            "instance-updated", "instance-renamed", "instance-resumed");
    private static final Set<String> GONE = Set.of("instance-stopped", "instance-deleted", "instance-paused",
            "instance-shutdown");

    /** What an event asks of the source. */
    public enum Reaction {
        /** The instance may have (or soon have) new addresses: poll it until they show, then resync. */
        AWAIT_ADDRESS,
        /** Its addresses went away: resync now. */
        RESYNC,
        /** Nothing that changes routes. */
        IGNORE
    }

    /** Parses one message; an unknown or malformed one is empty, reported once to {@code problems}. */
    public static Optional<LxdEvent> parse(String text, ObjectMapper json, ProblemLog problems) {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JsonProcessingException e) {
            problems.report("LXD event ignored: not JSON (" + UntrustedText.escape(e.getOriginalMessage()) + "): "
                    + JsonText.abbreviate(json.getNodeFactory().textNode(text)));
            return Optional.empty();
        }
        if (root == null || !root.isObject()) {
            problems.report("LXD event ignored: " + JsonText.abbreviate(root) + ", expected a JSON object");
            return Optional.empty();
        }
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual()) {
            problems.report("LXD event ignored: type is " + JsonText.describe(type) + ", expected a text");
            return Optional.empty();
        }
        if (!"lifecycle".equals(type.asText())) {
            problems.report("LXD event of type " + JsonText.printable(type.asText()) + " ignored: expected lifecycle events only");
            return Optional.empty();
        }
        JsonNode metadata = root.get("metadata");
        JsonNode action = metadata == null ? null : metadata.get("action");
        JsonNode source = metadata == null ? null : metadata.get("source");
        if (action == null || !action.isTextual() || source == null || !source.isTextual()) {
            problems.report("LXD lifecycle event ignored: metadata.action is " + JsonText.describe(action)
                    + " and metadata.source is " + JsonText.describe(source) + ", expected two texts");
            return Optional.empty();
        }
        JsonNode project = root.get("project");
        JsonNode location = root.get("location");
        String sourceText = source.asText();
        String projectName = queryParameter(sourceText, "project")
                .orElse(project != null && project.isTextual() && !project.asText().isEmpty() ? project.asText()
                        : "default");
        return Optional.of(new LxdEvent(type.asText(), action.asText(), sourceText, projectName,
                location != null && location.isTextual() ? location.asText() : ""));
    }

    /** The instance the event is about, when its source is an instance (not a snapshot, not a project). */
    public Optional<String> instance() {
        String path = source;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (!path.startsWith(INSTANCES)) {
            return Optional.empty();
        }
        String name = path.substring(INSTANCES.length());
        if (name.isEmpty() || name.contains("/")) {
            return Optional.empty();
        }
        return Optional.of(decode(name));
    }

    /** What the source does about this event. */
    public Reaction reaction() {
        if (instance().isEmpty()) {
            return Reaction.IGNORE;
        }
        if (AWAIT_ADDRESS.contains(action)) {
            return Reaction.AWAIT_ADDRESS;
        }
        return GONE.contains(action) ? Reaction.RESYNC : Reaction.IGNORE;
    }

    private static Optional<String> queryParameter(String source, String name) {
        int query = source.indexOf('?');
        if (query < 0) {
            return Optional.empty();
        }
        for (String pair : source.substring(query + 1).split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).equals(name) && equals < pair.length() - 1) {
                return Optional.of(decode(pair.substring(equals + 1)));
            }
        }
        return Optional.empty();
    }

    /** A malformed escape is kept as it is: the name is only used to ask LXD, which then says it does not know it. */
    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }
}
