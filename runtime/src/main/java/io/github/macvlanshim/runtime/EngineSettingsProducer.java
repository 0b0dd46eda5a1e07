package io.github.macvlanshim.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.github.macvlanshim.runtime.config.ConfigValidator;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.InvalidConfigException;
import io.github.macvlanshim.runtime.config.LxdSocketSetting;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig;
import io.github.macvlanshim.runtime.source.InstanceSource;
import io.github.macvlanshim.runtime.source.StaticSource;
import io.github.macvlanshim.runtime.source.lxd.LxdClient;
import io.github.macvlanshim.runtime.source.lxd.LxdInstanceSource;
import io.github.macvlanshim.runtime.source.lxd.LxdSockets;
import io.quarkus.runtime.LaunchMode;

/** Validates the configuration once, for every bean that needs it. */
@Singleton
public class EngineSettingsProducer {

    @Produces
    @Singleton
    EngineSettings settings(MacvlanShimConfig config) {
        return ConfigValidator.validate(config);
    }

    @Produces
    @Singleton
    EngineMode mode(MacvlanShimConfig config) {
        return EngineMode.of(LaunchMode.current(), config.test().realHost());
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

    /** Registered only when the LXD source is built in. */
    @Singleton
    public static class LxdSourceProducer {

        private static final Logger LOG = Logger.getLogger(LxdSourceProducer.class);

        /**
         * The LXD source, or null when it is off (the engine skips a null source): a bean that is there only
         * on some hosts must be {@code @Dependent}. The engine closes it.
         */
        @Produces
        @Dependent
        InstanceSource lxdSource(EngineSettings settings, EngineMode mode) {
            if (!mode.onHost()) {
                // The host's instances would make an application's tests depend on the machine they run on.
                LOG.info("LXD source off: test mode, in-memory host network");
                return null;
            }
            return socket(settings.lxdSocket(), Optional.ofNullable(System.getenv("LXD_DIR")))
                    .map(path -> (InstanceSource) new LxdInstanceSource(new LxdClient(path)))
                    .orElse(null);
        }

        /** The socket to use, or empty when the source is off; a configured socket that is missing is an error. */
        static Optional<Path> socket(LxdSocketSetting setting, Optional<String> lxdDir) {
            switch (setting.kind()) {
                case NONE:
                    LOG.info("LXD source off: quarkus.macvlan-shim.lxd.socket=none");
                    return Optional.empty();
                case PATH:
                    Path path = setting.path().orElseThrow();
                    if (!Files.exists(path)) {
                        throw InvalidConfigException.of("quarkus.macvlan-shim.lxd.socket", path,
                                "no such file; expected the API socket of a running LXD or Incus daemon, or auto");
                    }
                    LOG.infof("LXD source on: %s", path);
                    return Optional.of(path);
                default:
                    Optional<Path> found = LxdSockets.firstExisting(lxdDir, Files::exists);
                    if (found.isEmpty()) {
                        LOG.infof("LXD source off: no LXD or Incus socket at %s", LxdSockets.candidates(lxdDir));
                    } else {
                        LOG.infof("LXD source on: %s", found.get());
                    }
                    return found;
            }
        }
    }
}
