package io.github.macvlanshim.runtime.status;

import java.time.Instant;
import java.util.Optional;

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
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", version);
        root.put("ready", status.ready());
        ArrayNode reasons = root.putArray("reasons");
        status.notReadyReasons().forEach(reasons::add);

        ObjectNode last = root.putObject("lastReconcile");
        last.put("time", time(status.lastCompleted()));
        last.put("trigger", status.trigger());
        last.put("outcome", status.outcome().name().toLowerCase());
        last.put("message", status.message());
        last.put("pending", status.pendingChanges());
        last.put("failures", status.failures());

        ArrayNode shims = root.putArray("shims");
        for (ShimStatus shim : status.shims()) {
            ObjectNode node = shims.addObject();
            node.put("name", shim.name());
            node.put("parent", shim.parent());
            node.put("parentState", shim.parentState().name().toLowerCase());
            node.put("state", shim.state());
            ArrayNode addresses = node.putArray("addresses");
            shim.addresses().forEach(addresses::add);
            node.put("mac", shim.mac());
            node.put("routes", shim.routes());
            node.put("linkdownRoutes", shim.linkdownRoutes());
            node.put("conflicts", shim.conflicts());
        }

        ArrayNode routes = root.putArray("routes");
        for (RouteStatus route : status.routes()) {
            ObjectNode node = routes.addObject();
            node.put("destination", route.destination());
            node.put("shim", route.shim());
            node.put("linkdown", route.linkdown());
            ArrayNode instances = node.putArray("instances");
            for (Served served : route.servedBy()) {
                ObjectNode instance = instances.addObject();
                instance.put("source", served.source());
                instance.put("project", served.project());
                instance.put("instance", served.instance());
                instance.put("nic", served.nic());
            }
        }

        ArrayNode conflicts = root.putArray("conflicts");
        for (Conflict conflict : status.conflicts()) {
            ObjectNode node = conflicts.addObject();
            node.put("shim", conflict.shim());
            node.put("kind", conflict.kind().name().toLowerCase());
            node.put("subject", conflict.subject());
            node.put("detail", conflict.detail());
        }

        ArrayNode sources = root.putArray("sources");
        for (SourceStatus source : status.sources()) {
            ObjectNode node = sources.addObject();
            node.put("name", source.name());
            node.put("state", source.state().name().toLowerCase());
            node.put("expected", source.expected());
            node.put("daemon", source.daemon());
            node.put("endpoints", source.endpoints());
            node.put("lastAnswer", time(source.lastGoodSnapshot()));
            node.put("error", source.error());
        }
        return root;
    }

    private static String time(Optional<Instant> instant) {
        return instant.map(Instant::toString).orElse("");
    }
}
