package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Start-up: a static route with host bits set is refused. */
class StaticRouteHostBitsTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "eth0")
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.static-routes", "198.51.100.7/24")
            .assertException(StartupFailure.withMessage("static-routes=198.51.100.7/24", "host bits set"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
