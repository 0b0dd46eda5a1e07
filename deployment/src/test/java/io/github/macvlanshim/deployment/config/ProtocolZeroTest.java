package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Start-up: protocol 0 is refused. */
class ProtocolZeroTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.routes.protocol", "0")
            .assertException(StartupFailure.withMessage("quarkus.macvlan-shim.routes.protocol=0", "from 5 to 255"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
