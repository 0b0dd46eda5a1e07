package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Start-up: an IPv6 literal as IPv4 address is refused. */
class AddressWrongFamilyTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "eth0")
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.address", "2001:db8::72")
            .assertException(StartupFailure.withMessage("quarkus.macvlan-shim.shims.mynet.address=2001:db8::72", "not IPv4"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
