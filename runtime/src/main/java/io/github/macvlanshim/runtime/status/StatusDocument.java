package io.github.macvlanshim.runtime.status;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.macvlanshim.runtime.reconcile.Conflict;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.RouteStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.Served;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ShimStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.SourceStatus;

/**
 * The whole state as one JSON document, for {@code macvlan-shim status} and for scripts. Pure. Built as a
 * Jackson tree, never bound to classes, so a native image needs no reflection for it. The field names are an
 * interface: docs/operations.md describes them, and the status command reads them.
 */
public final class StatusDocument {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatusDocument() {
    }

    public static ObjectNode of(ReconcileStatus status, String version) {
        ObjectNode root = MAPPER.createObjectNode()
                .put("version", version)
                .put("ready", status.ready());
        root.set("reasons", texts(status.notReadyReasons()));
        root.set("lastReconcile", lastReconcile(status));
        root.set("shims", array(status.shims(), StatusDocument::shim));
        root.set("routes", array(status.routes(), StatusDocument::route));
        root.set("conflicts", array(status.conflicts(), StatusDocument::conflict));
        root.set("sources", array(status.sources(), StatusDocument::source));
        return root;
    }

    private static ObjectNode lastReconcile(ReconcileStatus status) {
        return MAPPER.createObjectNode()
                .put("time", time(status.lastCompleted()))
                .put("trigger", status.trigger())
                .put("outcome", lower(status.outcome()))
                .put("message", status.message())
                .put("pending", status.pendingChanges())
                .put("failures", status.failures());
    }

    private static ObjectNode shim(ShimStatus shim) {
        return MAPPER.createObjectNode()
                .put("name", shim.name())
                .put("parent", shim.parent())
                .put("parentState", lower(shim.parentState()))
                .put("state", shim.state())
                .<ObjectNode>set("addresses", texts(shim.addresses()))
                .put("mac", shim.mac())
                .put("routes", shim.routes())
                .put("linkdownRoutes", shim.linkdownRoutes())
                .put("conflicts", shim.conflicts());
    }

    private static ObjectNode route(RouteStatus route) {
        return MAPPER.createObjectNode()
                .put("destination", route.destination())
                .put("shim", route.shim())
                .put("linkdown", route.linkdown())
                .set("instances", array(route.servedBy(), StatusDocument::served));
    }

    private static ObjectNode served(Served served) {
        return MAPPER.createObjectNode()
                .put("source", served.source())
                .put("project", served.project())
                .put("instance", served.instance())
                .put("nic", served.nic());
    }

    private static ObjectNode conflict(Conflict conflict) {
        return MAPPER.createObjectNode()
                .put("shim", conflict.shim())
                .put("kind", lower(conflict.kind()))
                .put("subject", conflict.subject())
                .put("detail", conflict.detail());
    }

    private static ObjectNode source(SourceStatus source) {
        return MAPPER.createObjectNode()
                .put("name", source.name())
                .put("state", lower(source.state()))
                .put("expected", source.expected())
                .put("daemon", source.daemon())
                .put("endpoints", source.endpoints())
                .put("lastAnswer", time(source.lastGoodSnapshot()))
                .put("error", source.error());
    }

    private static <T> ArrayNode array(List<T> items, Function<T, ObjectNode> node) {
        ArrayNode array = MAPPER.createArrayNode();
        items.forEach(item -> array.add(node.apply(item)));
        return array;
    }

    private static ArrayNode texts(List<String> texts) {
        ArrayNode array = MAPPER.createArrayNode();
        texts.forEach(array::add);
        return array;
    }

    /** Enum constants as the document spells them: "no_carrier", "foreign_route". */
    private static String lower(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    private static String time(Optional<Instant> instant) {
        return instant.map(Instant::toString).orElse("");
    }
}
