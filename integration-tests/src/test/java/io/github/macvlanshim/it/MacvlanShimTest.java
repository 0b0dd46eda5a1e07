package io.github.macvlanshim.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Cmd;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.Wait;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The extension in an application: engine started by Quarkus in a lab host namespace, health and metrics
 * through SmallRye Health and Micrometer, the Scheduler tick. Only HTTP and the lab are used, so the same
 * tests run against the packaged application ({@link MacvlanShimIT}).
 */
@QuarkusTest
@QuarkusTestResource(value = LabResource.class, restrictToAnnotatedClass = true)
@Tag("lab")
class MacvlanShimTest {

    private static final String CHECK = "checks.find { it.name == 'macvlan-shim' }";

    @Test
    void theHostReachesItsContainerAndBackThroughTheExtension() {
        Lab lab = LabResource.lab;
        assertThat(lab.awaitPing(lab.hostNetns(), LabResource.C1_V4, Duration.ofSeconds(3))).isTrue();
        assertThat(lab.awaitPing(LabResource.container, Lab.HOST_IPV6, Duration.ofSeconds(3))).isTrue();
    }

    @Test
    void readinessIsUpWithPerShimData() {
        given().get("/q/health/ready").then().statusCode(200)
                .body(CHECK + ".status", equalTo("UP"))
                .body(CHECK + ".data.'shim.mynet.state'", equalTo("ok"))
                .body(CHECK + ".data.'shim.mynet.routes'", equalTo(3))
                .body(CHECK + ".data.outcome", equalTo("converged"))
                .body(CHECK + ".data.'source.static'", equalTo("reachable, 3 endpoints"));
    }

    @Test
    void livenessIsUpWhileReconcilesComplete() {
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.name", hasItem("macvlan-shim"))
                .body(CHECK + ".status", equalTo("UP"));
    }

    @Test
    void everyMeterIsPublished() {
        // Other tests repair and re-add routes: counts only grow, gauges return to the converged values.
        assertThat(Wait.until(Duration.ofSeconds(2), () -> Metrics.value("macvlan_shim_routes", "shim=\"mynet\"") == 3.0))
                .isTrue();
        assertThat(Wait.until(Duration.ofSeconds(2), () -> Metrics.value("macvlan_shim_conflicts", "shim=\"mynet\"") == 0.0))
                .isTrue();
        assertThat(Metrics.value("macvlan_shim_reconcile_seconds_count", "outcome=\"converged\"")).isPositive();
        assertThat(Metrics.value("macvlan_shim_route_changes_total", "shim=\"mynet\"", "op=\"add\""))
                .as("the three routes of the first reconcile, at least").isGreaterThanOrEqualTo(3.0);
        assertThat(Metrics.value("macvlan_shim_repairs_total", "shim=\"mynet\"", "what=\"address\""))
                .as("every series exists from the start").isEqualTo(0.0);
        assertThat(Metrics.value("macvlan_shim_route_changes_total", "shim=\"mynet\"", "op=\"replace\"")).isEqualTo(0.0);
    }

    @Test
    void aDeletedRouteIsRepairedAndCountedAsARepair() {
        Lab lab = LabResource.lab;
        double before = zeroIfAbsent(Metrics.value("macvlan_shim_repairs_total", "shim=\"mynet\"", "what=\"route\""));

        lab.ip(lab.hostNetns(), "route", "del", LabResource.C1_V4 + "/32", "dev", "mynet");

        assertThat(Wait.until(Duration.ofSeconds(1),
                () -> lab.ip(lab.hostNetns(), "route", "show", LabResource.C1_V4 + "/32").contains("dev mynet proto 77")))
                .as("route back within a second").isTrue();
        assertThat(Wait.until(Duration.ofSeconds(2), () -> Metrics.value("macvlan_shim_repairs_total", "shim=\"mynet\"",
                "what=\"route\"") == before + 1)).as("one route repair counted").isTrue();
    }

    @Test
    void theSchedulerReconcilesEveryIntervalWithoutAnyEvent() throws InterruptedException {
        double before = Metrics.value("macvlan_shim_reconcile_seconds_count", "outcome=\"converged\"");
        Thread.sleep(3_200);
        double after = Metrics.value("macvlan_shim_reconcile_seconds_count", "outcome=\"converged\"");
        assertThat(after - before).as("reconciles in 3.2 s at a 1 s interval").isGreaterThanOrEqualTo(2.0);
    }

    @Test
    void aForeignRouteIsAConflictInHealthAndMetricsAndIsLeftAlone() {
        Lab lab = LabResource.lab;
        String host = lab.hostNetns();
        // Our route to the spare address goes and a foreign one takes its place before any reconcile can run.
        for (int attempt = 0; attempt < 5
                && !lab.ip(host, "route", "show", LabResource.SPARE_V4 + "/32").contains("proto static"); attempt++) {
            tryBatch(host, "route del " + LabResource.SPARE_V4 + "/32 dev mynet proto 77",
                    "route add " + LabResource.SPARE_V4 + "/32 dev eth0 proto static");
        }
        try {
            assertThat(Wait.until(Duration.ofSeconds(2),
                    () -> Metrics.value("macvlan_shim_conflicts", "shim=\"mynet\"") == 1.0)).isTrue();
            given().get("/q/health/ready").then().statusCode(200)
                    .body(CHECK + ".data.'shim.mynet.conflicts'", equalTo(1))
                    .body(CHECK + ".data.'conflict.0'", org.hamcrest.Matchers.containsString(LabResource.SPARE_V4));
            assertThat(lab.ip(host, "route", "show", LabResource.SPARE_V4 + "/32")).contains("dev eth0 proto static");
        } finally {
            lab.ip(host, "route", "del", LabResource.SPARE_V4 + "/32", "dev", "eth0", "proto", "static");
        }
        assertThat(Wait.until(Duration.ofSeconds(2),
                () -> lab.ip(host, "route", "show", LabResource.SPARE_V4 + "/32").contains("dev mynet proto 77")))
                .as("ours is installed once the foreign route is gone").isTrue();
    }

    @Test
    void readinessIsDownWithTheReasonWhileTheParentHasNoCarrierAndTheRoutesAreLinkdown() {
        Lab lab = LabResource.lab;
        String host = lab.hostNetns();
        // The switch's end of the host's cable goes down: eth0 stays set up but loses its carrier.
        lab.ip(lab.lanNetns(), "link", "set", "to-host", "down");
        try {
            assertThat(Wait.until(Duration.ofSeconds(3), () -> given().get("/q/health/ready").statusCode() == 503))
                    .as("readiness DOWN once the parent loses its carrier").isTrue();
            assertThat(lab.ip(host, "route", "show", LabResource.C1_V4 + "/32")).contains("dev mynet").contains("linkdown");
            given().get("/q/health/ready").then().statusCode(503)
                    .body(CHECK + ".status", equalTo("DOWN"))
                    .body(CHECK + ".data.outcome", equalTo("not_ready"))
                    .body(CHECK + ".data.message", org.hamcrest.Matchers.startsWith(
                            "not ready: parent eth0 of shim mynet has no carrier (link down)"))
                    .body(CHECK + ".data.'shim.mynet.parent'", equalTo("eth0 no carrier"))
                    .body(CHECK + ".data.'shim.mynet.linkdown-routes'", org.hamcrest.Matchers.greaterThan(0))
                    .body(CHECK + ".data.'reason.1'", org.hamcrest.Matchers.containsString("routes via mynet are linkdown"));
            assertThat(Metrics.value("macvlan_shim_ready")).isEqualTo(0.0);
            assertThat(Metrics.value("macvlan_shim_parent_up", "shim=\"mynet\"")).isEqualTo(0.0);
            assertThat(Metrics.value("macvlan_shim_linkdown_routes", "shim=\"mynet\"")).isPositive();
        } finally {
            lab.ip(lab.lanNetns(), "link", "set", "to-host", "up");
        }
        assertThat(Wait.until(Duration.ofSeconds(3), () -> given().get("/q/health/ready").statusCode() == 200))
                .as("readiness UP again with the carrier").isTrue();
        given().get("/q/health/ready").then().body(CHECK + ".data.message", org.hamcrest.Matchers.startsWith("ready: "));
    }

    @Test
    void readinessGoesDownWhileAForeignInterfaceHoldsTheShimsName() {
        Lab lab = LabResource.lab;
        String host = lab.hostNetns();
        // One batch, so that no reconcile can slip in: the shim is renamed away (a name freed by a rename can be
        // taken again at once, unlike one freed by a delete), a veth takes its name, the old shim goes.
        batch(host, "link set dev mynet down", "link set dev mynet name mynetold",
                "link add mynet type veth peer name mynet-peer", "link del dev mynetold");
        try {
            assertThat(Wait.until(Duration.ofSeconds(2), () -> given().get("/q/health/ready").statusCode() == 503))
                    .isTrue();
            given().get("/q/health/ready").then().statusCode(503)
                    .body(CHECK + ".data.'shim.mynet.state'", equalTo("missing"));
            assertThat(lab.ip(host, "-d", "link", "show", "mynet")).contains("veth");
        } finally {
            lab.ip(host, "link", "del", "mynet");
        }
        assertThat(Wait.until(Duration.ofSeconds(3), () -> given().get("/q/health/ready").statusCode() == 200))
                .as("shim recreated once the name is free").isTrue();
    }

    /** Runs several ip commands in one process, so that no reconcile can run between them. */
    private static void batch(String netns, String... lines) {
        try {
            Path file = Files.createTempFile("ip-batch", ".txt");
            try {
                Files.writeString(file, String.join("\n", lines) + "\n");
                Cmd.run("ip", "-n", netns, "-batch", file.toString());
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void tryBatch(String netns, String... lines) {
        try {
            batch(netns, lines);
        } catch (IllegalStateException e) {
            System.out.println("batch failed, racing the engine's repair: " + e.getMessage());
        }
    }

    private static double zeroIfAbsent(double value) {
        return Double.isNaN(value) ? 0 : value;
    }
}
