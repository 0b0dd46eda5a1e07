package io.github.macvlanshim.runtime.devui;

import java.util.Map;

import jakarta.inject.Inject;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.macvlanshim.runtime.MacvlanShimEngine;
import io.github.macvlanshim.runtime.metrics.BuildVersion;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.status.StatusDocument;
import io.smallrye.common.annotation.Blocking;

/**
 * What the Dev UI page shows and does, over Dev UI's JSON-RPC: the status document (the one the status endpoint
 * serves) plus what the engine works on. Registered in dev mode only, by the deployment module.
 */
public class MacvlanShimJsonRpcService {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    @Inject
    MacvlanShimEngine engine;

    /** The last reconcile's status. */
    public Map<String, Object> getStatus() {
        return document(engine.status());
    }

    /** The card's label: shims and owned routes at a glance. */
    public String getSummary() {
        ReconcileStatus status = engine.status();
        return status.shims().size() + " shims, " + status.routes().size() + " routes";
    }

    /** Reconciles now (reading and changing the host network takes a moment: off the event loop), then as getStatus. */
    @Blocking
    public Map<String, Object> reconcileNow() {
        return document(engine.reconcileNow());
    }

    /** As plain maps and lists: Dev UI's codec would write a Jackson tree as a bean. */
    private Map<String, Object> document(ReconcileStatus status) {
        ObjectNode document = StatusDocument.of(status, BuildVersion.VERSION);
        document.put("hostNetwork", engine.mode().description());
        return JSON.convertValue(document, MAP);
    }
}
