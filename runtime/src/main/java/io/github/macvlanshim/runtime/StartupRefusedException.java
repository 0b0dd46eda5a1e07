package io.github.macvlanshim.runtime;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The engine cannot start here, for a reason the message gives whole: a missing capability, a shim another engine
 * holds, a host network that cannot be read. A {@link ConfigurationException}, because that is what Quarkus
 * reports by its message alone, without a stack trace (the cause is logged at DEBUG where it is thrown).
 */
public class StartupRefusedException extends ConfigurationException {

    public StartupRefusedException(String message) {
        super(message);
    }
}
