package io.github.macvlanshim.deployment.launchmode;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.macvlanshim.deployment.SharedLab;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Test mode touches nothing by default, even pointed at a real parent in a real namespace: the lab host's links,
 * addresses, routes and proxy entries are exactly as they were before the application started.
 */
@Tag("lab")
class TestModeLeavesTheHostAloneLabTest {

    static final String HOST = SharedLab.hostNetns(TestModeLeavesTheHostAloneLabTest.class,
            lab -> System.setProperty("macvlan-shim.test.before", snapshot(lab.hostNetns())));

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest().withApplicationRoot(root -> root.addClass(SharedLab.class))
            .overrideConfigKey("quarkus.macvlan-shim.netns", HOST)
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "eth0")
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.static-routes", "198.51.100.253")
            .overrideConfigKey("quarkus.macvlan-shim.reconcile.interval", "1s")
            .overrideConfigKey("quarkus.macvlan-shim.lxd.socket", "none")
            .setAfterAllCustomizer(() -> SharedLab.close(TestModeLeavesTheHostAloneLabTest.class));

    private static String snapshot(String netns) {
        return SharedLab.ip(netns, "-d", "link", "show") + SharedLab.ip(netns, "addr", "show")
                + SharedLab.ip(netns, "route", "show", "table", "all")
                + SharedLab.ip(netns, "-6", "neigh", "show", "proxy");
    }

    @Test
    void theLabHostIsExactlyAsItWasAfterReconciles() throws InterruptedException {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'macvlan-shim' }.data.'host-network'", containsString("in-memory"));
        // Past a few ticks of the 1 s interval: nothing the scheduler runs touches the lab either.
        Thread.sleep(2_500);

        assertThat(snapshot(HOST)).isEqualTo(System.getProperty("macvlan-shim.test.before"));
        assertThat(SharedLab.ip(HOST, "-o", "link", "show")).contains("eth0").doesNotContain("mynet");
    }
}
