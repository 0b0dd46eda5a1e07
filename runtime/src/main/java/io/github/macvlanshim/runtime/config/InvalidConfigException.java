package io.github.macvlanshim.runtime.config;

import io.github.macvlanshim.runtime.net.UntrustedText;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * A configuration value that cannot work; the message names the key, the value and what is expected. A
 * {@link ConfigurationException}, so that a failed start-up prints this message alone, without a stack trace.
 */
public class InvalidConfigException extends ConfigurationException {

    public InvalidConfigException(String message) {
        super(message);
    }

    /** "KEY=VALUE is not accepted: EXPECTED". */
    public static InvalidConfigException of(String key, Object value, String expected) {
        // The value is shown escaped: a newline in it must not forge a second log line.
        return new InvalidConfigException(key + "=" + UntrustedText.escape(String.valueOf(value)) + " is not accepted: " + expected);
    }
}
