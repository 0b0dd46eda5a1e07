package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Start-up: protocol 4 (static) is refused as reserved. */
class ProtocolStaticTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.routes.protocol", "4")
            .assertException(StartupFailure.withMessage("quarkus.macvlan-shim.routes.protocol=4", "belongs to the kernel or a well-known routing daemon"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
