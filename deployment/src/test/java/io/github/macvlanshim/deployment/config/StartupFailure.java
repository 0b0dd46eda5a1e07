package io.github.macvlanshim.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Consumer;

import io.github.macvlanshim.runtime.config.InvalidConfigException;

/** Finds the configuration message in whatever chain start-up wrapped it in. */
final class StartupFailure {

    private StartupFailure() {
    }

    /** Asserts start-up failed with one {@link InvalidConfigException} whose message contains every part. */
    static Consumer<Throwable> withMessage(String... parts) {
        return thrown -> {
            Throwable cause = thrown;
            while (cause != null && !cause.getClass().getName().equals(InvalidConfigException.class.getName())) {
                cause = cause.getCause();
            }
            assertThat(cause).as("an InvalidConfigException in the chain of %s", thrown).isNotNull();
            assertThat(cause.getMessage()).contains(parts);
        };
    }
}
