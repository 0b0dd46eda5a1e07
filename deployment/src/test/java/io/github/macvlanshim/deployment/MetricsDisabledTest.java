package io.github.macvlanshim.deployment;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * quarkus.macvlan-shim.metrics.enabled=false: Micrometer is there, our meters are not (the same app with the
 * default publishes them: {@link MetricsEnabledTest}). A dry run: it reads the host and changes nothing.
 */
class MetricsDisabledTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest().withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.metrics.enabled", "false")
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "lo")
            .overrideConfigKey("quarkus.macvlan-shim.dry-run", "true");

    @Test
    void noMacvlanShimMeterIsPublished() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_"))
                .body(not(containsString("macvlan_shim")));
    }
}
