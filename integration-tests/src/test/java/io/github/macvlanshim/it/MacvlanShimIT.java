package io.github.macvlanshim.it;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same specification against the packaged application, run as its own process. */
@QuarkusIntegrationTest
class MacvlanShimIT extends MacvlanShimTest {
}
