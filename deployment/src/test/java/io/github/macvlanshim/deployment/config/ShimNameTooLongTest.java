package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Start-up: a shim name over 15 bytes is refused. */
class ShimNameTooLongTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.shims.shimnameistoolong.parent", "eth0")
            .assertException(StartupFailure.withMessage("shimnameistoolong", "longer than 15 bytes"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
