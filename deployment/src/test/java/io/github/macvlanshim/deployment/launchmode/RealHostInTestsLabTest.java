package io.github.macvlanshim.deployment.launchmode;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.macvlanshim.deployment.SharedLab;
import io.quarkus.test.QuarkusUnitTest;

/** quarkus.macvlan-shim.test.real-host=true: the same kind of test runs the real engine, and the host reaches c1. */
@Tag("lab")
class RealHostInTestsLabTest {

    static final String HOST = SharedLab.hostNetns(RealHostInTestsLabTest.class,
            lab -> lab.addContainer("c1", "198.51.100.253", "2001:db8:100::253"));

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest().withApplicationRoot(root -> root.addClass(SharedLab.class))
            .overrideConfigKey("quarkus.macvlan-shim.test.real-host", "true")
            .overrideConfigKey("quarkus.macvlan-shim.netns", HOST)
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "eth0")
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.static-routes", "198.51.100.253")
            .overrideConfigKey("quarkus.macvlan-shim.lxd.socket", "none")
            .setAfterAllCustomizer(() -> SharedLab.close(RealHostInTestsLabTest.class));

    @Test
    void theRealEngineMakesTheShimAndTheRoute() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'macvlan-shim' }.data.'host-network'", equalTo("the host's network"))
                .body("checks.find { it.name == 'macvlan-shim' }.data.'shim.mynet.state'", equalTo("ok"));
        assertThat(SharedLab.ip(HOST, "-d", "link", "show", "mynet")).contains("macvlan mode bridge");
        assertThat(SharedLab.ip(HOST, "route", "show", "proto", "77")).contains("198.51.100.253 dev mynet");
        assertThat(SharedLab.awaitPing(HOST, "198.51.100.253", Duration.ofSeconds(5))).isTrue();
    }
}
