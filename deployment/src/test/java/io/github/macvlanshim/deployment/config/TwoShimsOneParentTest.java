package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Start-up: two shims on one parent are refused. */
class TwoShimsOneParentTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.shims.shima.parent", "eth0")
            .overrideConfigKey("quarkus.macvlan-shim.shims.shimb.parent", "eth0")
            .assertException(StartupFailure.withMessage("quarkus.macvlan-shim.shims.shimb.parent=eth0", "shim 'shima' already sits on eth0"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
