package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Start-up: a relative LXD socket path is refused. */
class LxdSocketRelativeTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.lxd.socket", "lxd/unix.socket")
            .assertException(StartupFailure.withMessage("quarkus.macvlan-shim.lxd.socket=lxd/unix.socket",
                    "absolute path"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
