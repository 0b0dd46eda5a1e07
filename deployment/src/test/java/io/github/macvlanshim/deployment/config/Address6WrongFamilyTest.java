package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Start-up: an IPv4 literal as IPv6 address is refused. */
class Address6WrongFamilyTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "eth0")
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.address6", "198.51.100.72")
            .assertException(StartupFailure.withMessage("quarkus.macvlan-shim.shims.mynet.address6=198.51.100.72", "not IPv6"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
