package io.github.macvlanshim.deployment.launchmode;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.macvlanshim.runtime.EngineMode;
import io.github.macvlanshim.runtime.MacvlanShimEngine;
import io.github.macvlanshim.runtime.net.InMemoryHostNetwork;
import io.github.macvlanshim.runtime.net.KernelRoute;
import io.github.macvlanshim.runtime.net.NetworkState;
import io.github.macvlanshim.runtime.reconcile.ReconcileStatus.Outcome;
import io.quarkus.test.QuarkusUnitTest;

/**
 * What an application's own tests get by default: the engine works on an in-memory host network that has the
 * configured parent (which this machine does not have), converges there, and readiness says where it works.
 */
class TestModeInMemoryTest {

    /** Where a real engine would keep its sources' last endpoints: a test run must not write it either. */
    static final Path STATE_FILE = Path.of("target", "test-mode-sources.json").toAbsolutePath();

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest().withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.state-file", STATE_FILE.toString())
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "msl-nosuch0")
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.static-routes", "198.51.100.253,2001:db8:100::253");

    @Inject
    MacvlanShimEngine engine;

    @Test
    void theEngineConvergesOnAnInMemoryHostNetwork() throws Exception {
        assertThat(engine.mode()).isEqualTo(EngineMode.IN_MEMORY);
        assertThat(engine.hostNetwork()).containsInstanceOf(InMemoryHostNetwork.class);
        assertThat(engine.status().outcome()).isEqualTo(Outcome.CONVERGED);

        NetworkState made = engine.hostNetwork().orElseThrow().read();
        assertThat(made.link("mynet")).hasValueSatisfying(link -> assertThat(link.isMacvlanBridgeOn("msl-nosuch0")).isTrue());
        assertThat(made.routes()).filteredOn(route -> route.protocol() == 77)
                .extracting(route -> route.destination().toString(), KernelRoute::device)
                .containsExactlyInAnyOrder(
                        tuple("198.51.100.253/32", Optional.of("mynet")),
                        tuple("2001:db8:100::253/128", Optional.of("mynet")));
    }

    @Test
    void noStateFileIsWritten() {
        engine.reconcileNow();

        assertThat(STATE_FILE).doesNotExist();
    }

    @Test
    void readinessIsUpAndSaysTheHostIsNotTouched() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'macvlan-shim' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'macvlan-shim' }.data.'host-network'", containsString("in-memory"))
                .body("checks.find { it.name == 'macvlan-shim' }.data.'host-network'",
                        containsString("quarkus.macvlan-shim.test.real-host=true"))
                .body("checks.find { it.name == 'macvlan-shim' }.data.'shim.mynet.routes'", equalTo(2));
    }
}
