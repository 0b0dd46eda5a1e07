package io.github.macvlanshim.runtime.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.macvlanshim.runtime.reconcile.Conflict;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.Outcome;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ParentState;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.RouteStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.Served;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.ShimStatus;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.SourceStatus;

/** The document's fields are an interface (the status command and scripts read them): each is pinned here. */
class StatusDocumentTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final ReconcileStatus STATUS = new ReconcileStatus(Optional.of(NOW), "event", Outcome.CONVERGED,
            "converged", 0, 0,
            List.of(new ShimStatus("mynet", "eth0", ParentState.NO_CARRIER, true, true, true,
                    List.of("198.51.100.72/32"), "02:00:00:00:00:01", 1, 1, 1)),
            List.of(new RouteStatus("198.51.100.20/32", "mynet", true,
                    List.of(new Served("lxd", "default", "c1", "eth0")))),
            List.of(new SourceStatus("lxd", SourceStatus.State.REACHABLE, "", 1, Optional.of(NOW), true)
                    .withDaemon("LXD 5.0.2 at /var/lib/lxd/unix.socket")),
            List.of(new Conflict("mynet", Conflict.Kind.FOREIGN_ROUTE, "198.51.100.21/32", "route ... left alone")));

    @Test
    void carriesShimsRoutesWithTheirInstancesConflictsSourcesAndTheLastReconcile() {
        JsonNode doc = StatusDocument.of(STATUS, "1.2.3");

        assertThat(doc.get("version").asText()).isEqualTo("1.2.3");
        assertThat(doc.get("ready").asBoolean()).isFalse();
        assertThat(doc.get("reasons")).hasSize(2);
        assertThat(doc.at("/lastReconcile/time").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(doc.at("/lastReconcile/trigger").asText()).isEqualTo("event");
        assertThat(doc.at("/lastReconcile/outcome").asText()).isEqualTo("converged");
        assertThat(doc.at("/lastReconcile/pending").asInt()).isZero();
        assertThat(doc.at("/lastReconcile/failures").asInt()).isZero();
        JsonNode shim = doc.at("/shims/0");
        assertThat(shim.get("name").asText()).isEqualTo("mynet");
        assertThat(shim.get("parent").asText()).isEqualTo("eth0");
        assertThat(shim.get("parentState").asText()).isEqualTo("no_carrier");
        assertThat(shim.get("state").asText()).isEqualTo("ok");
        assertThat(shim.at("/addresses/0").asText()).isEqualTo("198.51.100.72/32");
        assertThat(shim.get("mac").asText()).isEqualTo("02:00:00:00:00:01");
        assertThat(shim.get("routes").asInt()).isEqualTo(1);
        assertThat(shim.get("linkdownRoutes").asInt()).isEqualTo(1);
        JsonNode route = doc.at("/routes/0");
        assertThat(route.get("destination").asText()).isEqualTo("198.51.100.20/32");
        assertThat(route.get("linkdown").asBoolean()).isTrue();
        assertThat(route.at("/instances/0/source").asText()).isEqualTo("lxd");
        assertThat(route.at("/instances/0/project").asText()).isEqualTo("default");
        assertThat(route.at("/instances/0/instance").asText()).isEqualTo("c1");
        assertThat(route.at("/instances/0/nic").asText()).isEqualTo("eth0");
        assertThat(doc.at("/conflicts/0/kind").asText()).isEqualTo("foreign_route");
        assertThat(doc.at("/conflicts/0/subject").asText()).isEqualTo("198.51.100.21/32");
        assertThat(doc.at("/sources/0/state").asText()).isEqualTo("reachable");
        assertThat(doc.at("/sources/0/lastAnswer").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(doc.at("/sources/0/daemon").asText()).isEqualTo("LXD 5.0.2 at /var/lib/lxd/unix.socket");
    }

    @Test
    void theWholeDocumentKeepsItsFieldsInTheirOrder() {
        assertThat(StatusDocument.of(STATUS, "1.2.3").toString()).isEqualTo("""
                {"version":"1.2.3","ready":false,"reasons":["parent eth0 of shim mynet has no carrier (link down): \
                nothing reaches the instances on it","1 of 1 routes via mynet are linkdown"],\
                "lastReconcile":{"time":"2026-01-01T00:00:00Z","trigger":"event","outcome":"converged",\
                "message":"converged","pending":0,"failures":0},\
                "shims":[{"name":"mynet","parent":"eth0","parentState":"no_carrier","state":"ok",\
                "addresses":["198.51.100.72/32"],"mac":"02:00:00:00:00:01","routes":1,"linkdownRoutes":1,"conflicts":1}],\
                "routes":[{"destination":"198.51.100.20/32","shim":"mynet","linkdown":true,\
                "instances":[{"source":"lxd","project":"default","instance":"c1","nic":"eth0"}]}],\
                "conflicts":[{"shim":"mynet","kind":"foreign_route","subject":"198.51.100.21/32",\
                "detail":"route ... left alone"}],\
                "sources":[{"name":"lxd","state":"reachable","expected":true,\
                "daemon":"LXD 5.0.2 at /var/lib/lxd/unix.socket","endpoints":1,"lastAnswer":"2026-01-01T00:00:00Z",\
                "error":""}]}""");
    }
}
