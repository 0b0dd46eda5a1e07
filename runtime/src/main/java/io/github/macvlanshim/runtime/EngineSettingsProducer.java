package io.github.macvlanshim.runtime;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.github.macvlanshim.runtime.config.ConfigValidator;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig;
import io.github.macvlanshim.runtime.source.InstanceSource;
import io.github.macvlanshim.runtime.source.StaticSource;

/** Validates the configuration once, for every bean that needs it. */
@Singleton
public class EngineSettingsProducer {

    @Produces
    @Singleton
    EngineSettings settings(MacvlanShimConfig config) {
        return ConfigValidator.validate(config);
    }

    /** Registered only when the static source is built in. */
    @Singleton
    public static class StaticSourceProducer {

        @Produces
        @Singleton
        InstanceSource staticSource(EngineSettings settings) {
            return new StaticSource(settings.shims());
        }
    }
}
