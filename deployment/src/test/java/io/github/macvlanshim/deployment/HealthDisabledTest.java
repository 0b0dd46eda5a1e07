package io.github.macvlanshim.deployment;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** quarkus.macvlan-shim.health.enabled=false: the checks are not published. */
class HealthDisabledTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest().withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.health.enabled", "false");

    @Test
    void noMacvlanShimCheckIsPublished() {
        given().get("/q/health").then().statusCode(200)
                .body("checks.name", not(hasItem("macvlan-shim")));
    }
}
