package io.github.macvlanshim.runtime.config;

/** A configuration value that cannot work; the message names the key, the value and what is expected. */
public class InvalidConfigException extends RuntimeException {

    public InvalidConfigException(String message) {
        super(message);
    }

    /** "KEY=VALUE is not accepted: EXPECTED". */
    public static InvalidConfigException of(String key, Object value, String expected) {
        return new InvalidConfigException(key + "=" + value + " is not accepted: " + expected);
    }
}
