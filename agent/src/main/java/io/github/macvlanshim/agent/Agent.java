package io.github.macvlanshim.agent;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.github.macvlanshim.runtime.config.EngineSettings;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;

/**
 * The host agent: the extension runs the shims; this only refuses to sit idle. Embedded in another
 * application the extension stays idle without shims, but an agent with nothing to do is a mistake to report
 * at once, with exit status {@value #EXIT_NOT_CONFIGURED} (which the systemd unit does not restart on). Started by
 * {@link Main}.
 */
public class Agent implements QuarkusApplication {

    static final int EXIT_NOT_CONFIGURED = 2;
    private static final Logger LOG = Logger.getLogger(Agent.class);

    private final EngineSettings settings;
    private final String location;

    @Inject
    public Agent(EngineSettings settings, @ConfigProperty(name = AgentConfigSourceFactory.LOCATION_KEY,
            defaultValue = AgentConfigSourceFactory.DEFAULT_LOCATION) String location) {
        this.settings = settings;
        this.location = location;
    }

    @Override
    public int run(String... args) {
        if (settings.shims().isEmpty()) {
            LOG.error(notConfigured(location));
            return EXIT_NOT_CONFIGURED;
        }
        Quarkus.waitForExit();
        return 0;
    }

    static String notConfigured(String location) {
        return "no shim configured: set quarkus.macvlan-shim.shims.<name>.parent=<interface> in " + location
                + " (see the comments there), then start the agent again";
    }
}
