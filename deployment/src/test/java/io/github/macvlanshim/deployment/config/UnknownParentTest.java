package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * Start-up: a parent that does not exist on the host is refused. The real engine (test mode would give it an
 * in-memory host with that parent), in dry-run (which needs no capability and changes nothing).
 */
class UnknownParentTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.test.real-host", "true")
            .overrideConfigKey("quarkus.macvlan-shim.dry-run", "true")
            .overrideConfigKey("quarkus.macvlan-shim.lxd.socket", "none")
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "nosuchparent0")
            .assertException(StartupFailure.withMessage("quarkus.macvlan-shim.shims.mynet.parent=nosuchparent0", "no interface of that name exists"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
