package io.github.macvlanshim.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Lab;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A source the configuration names but whose daemon is absent is expected: readiness stays DOWN and says so,
 * while everything else (the shim, the static routes) is in place and working.
 */
@QuarkusTest
@QuarkusTestResource(value = AbsentLxdLabResource.class, restrictToAnnotatedClass = true)
@Tag("lab")
class ExpectedSourceReadinessTest {

    private static final String CHECK = "checks.find { it.name == 'macvlan-shim' }";

    @Test
    void readinessIsDownNamingTheExpectedSourceWhileTheRestWorks() {
        Lab lab = LabResource.lab;
        assertThat(lab.awaitPing(lab.hostNetns(), LabResource.C1_V4, Duration.ofSeconds(3)))
                .as("the static routes are in place meanwhile").isTrue();
        given().get("/q/health/ready").then().statusCode(503)
                .body(CHECK + ".status", equalTo("DOWN"))
                .body(CHECK + ".data.outcome", equalTo("not_ready"))
                .body(CHECK + ".data.message", startsWith("not ready: source lxd absent, expected back: "))
                .body(CHECK + ".data.'reason.0'", equalTo("source lxd absent, expected back: no API socket at "
                        + AbsentLxdLabResource.socket + " (no route is removed until it answers)"))
                .body(CHECK + ".data.'shim.mynet.state'", equalTo("ok"));
        assertThat(Metrics.value("macvlan_shim_source_up", "source=\"lxd\"")).isEqualTo(0.0);
        assertThat(Metrics.value("macvlan_shim_source_up", "source=\"static\"")).isEqualTo(1.0);
    }
}
