package io.github.macvlanshim.deployment;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * Metrics enabled (the default) and Micrometer present: the meters are published (test mode: on the in-memory
 * host network).
 */
class MetricsEnabledTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest().withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "lo")
            .overrideConfigKey("quarkus.macvlan-shim.dry-run", "true");

    @Test
    void theMetersArePublished() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_"))
                .body(containsString("macvlan_shim_routes{shim=\"mynet\"}"));
    }
}
