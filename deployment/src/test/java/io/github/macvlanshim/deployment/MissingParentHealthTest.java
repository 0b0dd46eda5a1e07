package io.github.macvlanshim.deployment;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * A parent that does not exist is a state, not a start-up failure: the application starts, readiness is DOWN
 * and says "parent missing". The real engine (test mode would give it an in-memory host with that parent), in
 * dry-run (no capability needed, no lock taken, nothing changed on the machine that runs it).
 */
class MissingParentHealthTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.test.real-host", "true")
            .overrideConfigKey("quarkus.macvlan-shim.dry-run", "true")
            .overrideConfigKey("quarkus.macvlan-shim.lxd.socket", "none")
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "nosuchparent0");

    @Test
    void theApplicationStartsAndReadinessSaysParentMissing() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'macvlan-shim' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'macvlan-shim' }.data.'shim.mynet.state'", equalTo("parent missing"));
    }
}
