package io.github.macvlanshim.deployment;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** With no shim configured the extension touches nothing and says so: ready and live, outcome idle. */
class IdleHealthTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest().withEmptyApplication();

    @Test
    void readinessAndLivenessAreUpAndSayIdle() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'macvlan-shim' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'macvlan-shim' }.data.outcome", equalTo("idle"));
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'macvlan-shim' }.status", equalTo("UP"));
    }
}
