package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Start-up: a host name as IPv6 address is refused without a lookup. */
class Address6HostNameTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "eth0")
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.address6", "localhost")
            .assertException(StartupFailure.withMessage("quarkus.macvlan-shim.shims.mynet.address6=localhost", "host names are not resolved"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
