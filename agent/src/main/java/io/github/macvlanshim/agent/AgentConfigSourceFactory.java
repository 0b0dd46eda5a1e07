package io.github.macvlanshim.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Adds the host's configuration file, {@value #DEFAULT_LOCATION} unless {@value #LOCATION_KEY} (environment
 * variable {@code MACVLAN_SHIM_CONFIG}) names another, as a config source between the built-in
 * application.properties and the environment: a key in the file overrides the agent's defaults, and an
 * environment variable or {@code -D} system property overrides the file.
 * <p>
 * Quarkus's own {@code quarkus.config.locations} would do, except that it fails start-up when the file is
 * missing; here a missing default file only means "nothing configured", which the agent reports itself.
 */
public class AgentConfigSourceFactory implements ConfigSourceFactory {

    /** The key (or environment variable {@code MACVLAN_SHIM_CONFIG}) that moves the file, e.g. for tests. */
    public static final String LOCATION_KEY = "macvlan-shim.config";
    public static final String DEFAULT_LOCATION = "/etc/macvlan-shim/agent.properties";
    /** Above application.properties on the class path (250), below environment variables (300) and -D (400). */
    static final int ORDINAL = 270;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue chosen = context.getValue(LOCATION_KEY);
        boolean explicit = chosen != null && chosen.getValue() != null && !chosen.getValue().isBlank();
        Path file = Path.of(explicit ? chosen.getValue().strip() : DEFAULT_LOCATION);
        if (!Files.isRegularFile(file)) {
            if (explicit) {
                throw new IllegalArgumentException(LOCATION_KEY + "=" + file
                        + " is not accepted: no such file; expected the agent's properties file");
            }
            return List.of();
        }
        try {
            return List.of(new PropertiesConfigSource(file.toUri().toURL(), ORDINAL));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
