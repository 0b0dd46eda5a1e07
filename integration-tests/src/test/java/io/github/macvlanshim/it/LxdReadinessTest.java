package io.github.macvlanshim.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LxdDaemon;
import io.github.macvlanshim.lab.Wait;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The extension with a real LXD: a container is routed, and readiness follows whether LXD answers. */
@QuarkusTest
@QuarkusTestResource(value = LxdLabResource.class, restrictToAnnotatedClass = true)
@Tag("lab")
class LxdReadinessTest {

    private static final String CHECK = "checks.find { it.name == 'macvlan-shim' }";

    @Test
    void aContainerIsRoutedAndReadinessFollowsLxdReachability() {
        Lab lab = LxdLabResource.lab;
        LxdDaemon lxd = LxdLabResource.lxd;
        lxd.launch("r1");
        try {
            lxd.setAddress("r1", "198.51.100.211/24", null);
            assertThat(Wait.until(Duration.ofSeconds(2),
                    () -> lab.routesWithProtocol(lab.hostNetns(), 77).contains("198.51.100.211 dev mynet"))).isTrue();
            assertThat(lab.awaitPing(lab.hostNetns(), "198.51.100.211", Duration.ofSeconds(3))).isTrue();
            given().get("/q/health/ready").then().statusCode(200)
                    .body(CHECK + ".data.'source.lxd'", equalTo("reachable, 1 endpoints"))
                    .body(CHECK + ".data.'source.lxd.daemon'", startsWith("LXD 5.0."))
                    .body(CHECK + ".data.'source.lxd.daemon'", endsWith(" at " + lxd.socket()));
            assertThat(Metrics.value("macvlan_shim_source_info", "source=\"lxd\"", "daemon=\"LXD 5.0."))
                    .as("the info meter names the daemon").isEqualTo(1.0);

            lxd.kill();
            assertThat(Wait.until(Duration.ofSeconds(5), () -> given().get("/q/health/ready").statusCode() == 503))
                    .as("readiness DOWN while LXD is unreachable").isTrue();
            given().get("/q/health/ready").then().statusCode(503)
                    .body(CHECK + ".data.'source.lxd'", startsWith("unreachable: "))
                    .body(CHECK + ".data.outcome", equalTo("not_ready"))
                    .body(CHECK + ".data.message", startsWith("not ready: source lxd unreachable: "))
                    .body(CHECK + ".data.'reason.0'", endsWith("(its last good endpoints stay routed)"));
            assertThat(lab.routesWithProtocol(lab.hostNetns(), 77)).as("no route removed meanwhile")
                    .contains("198.51.100.211 dev mynet");

            lxd.restart();
            assertThat(Wait.until(Duration.ofSeconds(15), () -> given().get("/q/health/ready").statusCode() == 200))
                    .as("readiness UP once LXD is back").isTrue();
        } finally {
            lxd.deleteInstance("r1", true);
        }
    }
}
