package io.github.macvlanshim.runtime.source.docker;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.macvlanshim.runtime.net.UntrustedText;
import io.github.macvlanshim.runtime.source.JsonText;
import io.github.macvlanshim.runtime.source.lxd.ProblemLog;

/**
 * One line of the engine's /events stream, such as
 * {@code {"Type":"container","Action":"start","Actor":{"ID":"5941…","Attributes":{"name":"d1"}}}}. Pure.
 * <p>
 * What it is about is always a container: for a container event its {@code Actor.ID}; for a network event
 * Docker's {@code Actor.Attributes.container} (its Actor is the network), Podman's {@code Actor.ID} (its Actor
 * is the container, and {@code Attributes.name} the container's name).
 *
 * @param action "start", "die", "connect", ...
 * @param container the container's ID ("" for an event the source does not act on)
 * @param name the container's name when the event says it, else empty
 */
public record DockerEvent(String type, String action, String container, Optional<String> name) {

    /** What the source asks the engine to send: only what can change a container's addresses on a network. */
    static final List<String> CONTAINER_ACTIONS = List.of("start", "die", "died", "destroy", "remove", "rename");
    static final List<String> NETWORK_ACTIONS = List.of("connect", "disconnect");

    /** The /events path with its filter: Docker and Podman both honour it; Podman says "died" in newer versions. */
    static String path() {
        StringBuilder filters = new StringBuilder("{\"type\":[\"container\",\"network\"],\"event\":[");
        List<String> all = new ArrayList<>(CONTAINER_ACTIONS);
        all.addAll(NETWORK_ACTIONS);
        for (int i = 0; i < all.size(); i++) {
            filters.append(i == 0 ? "" : ",").append('"').append(all.get(i)).append('"');
        }
        filters.append("]}");
        return "/events?filters=" + URLEncoder.encode(filters.toString(), StandardCharsets.UTF_8);
    }

    /** What an event asks of the source. */
    public enum Reaction {
        /** Read the container again and hand over its endpoints. */
        REFRESH,
        /** Renamed: the old name's endpoints are found by a full snapshot. */
        RESYNC,
        /** Nothing that changes routes. */
        IGNORE
    }

    /** Parses one line; an unknown or malformed one is empty, reported once to {@code problems}. */
    public static Optional<DockerEvent> parse(String text, ObjectMapper json, ProblemLog problems) {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JsonProcessingException e) {
            problems.report("Docker event ignored: not JSON (" + UntrustedText.escape(e.getOriginalMessage()) + "): "
                    + JsonText.abbreviate(json.getNodeFactory().textNode(text)));
            return Optional.empty();
        }
        if (root == null || !root.isObject()) {
            problems.report("Docker event ignored: " + JsonText.abbreviate(root) + ", expected a JSON object");
            return Optional.empty();
        }
        JsonNode type = root.get("Type");
        JsonNode action = root.get("Action");
        if (type == null || !type.isTextual() || action == null || !action.isTextual()) {
            problems.report("Docker event ignored: Type is " + JsonText.describe(type) + " and Action is "
                    + JsonText.describe(action) + ", expected two texts");
            return Optional.empty();
        }
        boolean network = "network".equals(type.asText());
        if (!network && !"container".equals(type.asText())) {
            return Optional.empty();
        }
        if (!(network ? NETWORK_ACTIONS : CONTAINER_ACTIONS).contains(action.asText())) {
            return Optional.of(new DockerEvent(type.asText(), action.asText(), "", Optional.empty()));
        }
        JsonNode actor = root.get("Actor");
        JsonNode attributes = actor == null ? null : actor.get("Attributes");
        JsonNode containerAttribute = attributes == null ? null : attributes.get("container");
        boolean podmanNetworkEvent = network && (containerAttribute == null || containerAttribute.isNull());
        JsonNode id = network && !podmanNetworkEvent ? containerAttribute : actor == null ? null : actor.get("ID");
        if (id == null || !id.isTextual() || !DockerEndpoints.isId(id.asText())) {
            problems.report("Docker " + type.asText() + " event " + JsonText.printable(action.asText())
                    + " ignored: the container ID is " + JsonText.describe(id)
                    + ", expected 12 to 64 hexadecimal digits");
            return Optional.empty();
        }
        Optional<String> name = Optional.empty();
        if (!network || podmanNetworkEvent) {
            JsonNode nameNode = attributes == null ? null : attributes.get("name");
            if (nameNode != null && nameNode.isTextual() && DockerEndpoints.isName(nameNode.asText())) {
                name = Optional.of(nameNode.asText());
            }
        }
        return Optional.of(new DockerEvent(type.asText(), action.asText(), id.asText(), name));
    }

    /** What the source does about this event. */
    public Reaction reaction() {
        if (!("network".equals(type) ? NETWORK_ACTIONS : CONTAINER_ACTIONS).contains(action)) {
            return Reaction.IGNORE;
        }
        return "rename".equals(action) ? Reaction.RESYNC : Reaction.REFRESH;
    }
}
