package io.github.macvlanshim.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Start-up: an interval under one second (the Scheduler runs no finer) is refused. */
class IntervalSubSecondTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.macvlan-shim.reconcile.interval", "500ms")
            .assertException(StartupFailure.withMessage("quarkus.macvlan-shim.reconcile.interval=PT0.5S", "expected a duration of at least 1s"));

    @Test
    void startUpIsRefusedWithOneClearMessage() {
        // the assertion is the start-up failure above
    }
}
