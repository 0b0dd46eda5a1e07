package io.github.macvlanshim.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Lab;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** dry-run=true: the plan is made and reported, the kernel is left exactly as it was, readiness says so. */
@QuarkusTest
@TestProfile(DryRunTest.DryRun.class)
@QuarkusTestResource(value = LabResource.class, restrictToAnnotatedClass = true)
@Tag("lab")
class DryRunTest {

    public static class DryRun implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.macvlan-shim.dry-run", "true");
        }
    }

    @Test
    void nothingChangesAndReadinessIsDownWithThePendingChanges() {
        Lab lab = LabResource.lab;
        assertThat(lab.ip(lab.hostNetns(), "-o", "link", "show")).doesNotContain("mynet");
        assertThat(lab.ip(lab.hostNetns(), "route", "show", "proto", "77")).isBlank();
        assertThat(lab.ping(lab.hostNetns(), LabResource.C1_V4)).isFalse();

        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'macvlan-shim' }.data.outcome", equalTo("pending"))
                .body("checks.find { it.name == 'macvlan-shim' }.data.'pending-changes'", equalTo(8)) // create, marker, sysctl, up, proxy NDP, 3 routes
                .body("checks.find { it.name == 'macvlan-shim' }.data.'shim.mynet.state'", equalTo("missing"))
                .body("checks.find { it.name == 'macvlan-shim' }.data.message",
                        equalTo("not ready: 8 changes pending: dry-run: 8 changes planned, none made (and 1 more)"))
                .body("checks.find { it.name == 'macvlan-shim' }.data.'reason.1'", equalTo("shim mynet: missing"));
    }
}
