package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Start-up: a parent that does not exist on the host is refused. */
class UnknownParentTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.shims.mynet.parent", "nosuchparent0")
            .assertException(StartupFailure.withMessage("quarkus.macvlan-shim.shims.mynet.parent=nosuchparent0", "no interface of that name exists"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
