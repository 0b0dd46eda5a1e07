package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Start-up: a host name as address is refused without a lookup. */
class AddressHostNameTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "eth0")
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.address", "gateway.example")
            .assertException(StartupFailure.withMessage("quarkus.macvlan-shim.shims.mynet.address=gateway.example", "host names are not resolved", "expected an IPv4 address literal"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
