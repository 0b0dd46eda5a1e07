package io.github.macvlanshim.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.github.macvlanshim.runtime.config.ConfigValidator;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.LxdSocketSetting;
import io.github.macvlanshim.runtime.config.SocketSetting;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig;
import io.github.macvlanshim.runtime.source.InstanceSource;
import io.github.macvlanshim.runtime.source.StaticSource;
import io.github.macvlanshim.runtime.source.lxd.Daemon;
import io.github.macvlanshim.runtime.source.docker.DockerInstanceSource;
import io.github.macvlanshim.runtime.source.docker.DockerSockets;
import io.github.macvlanshim.runtime.source.lxd.LxdInstanceSource;
import io.github.macvlanshim.runtime.source.lxd.LxdSockets;
import io.github.macvlanshim.runtime.source.unix.SocketLookup;
import io.quarkus.runtime.LaunchMode;

/** Validates the configuration once, for every bean that needs it. */
@Singleton
public class EngineSettingsProducer {

    private static final Logger LOG = Logger.getLogger(EngineSettingsProducer.class);

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

    /** Registered only when the LXD source is built in: the LXD and the Incus source. */
    @Singleton
    public static class LxdSourceProducer {

        private static final Logger LOG = Logger.getLogger(LxdSourceProducer.class);

        /**
         * The LXD source, or null when it is off (the engine skips a null source): a bean that is there only
         * with some settings must be {@code @Dependent}. The engine closes it.
         */
        @Produces
        @Dependent
        InstanceSource lxdSource(EngineSettings settings, EngineMode mode) {
            return onHost(mode, Daemon.LXD) ? source(settings.lxdSocket(), Daemon.LXD, System.getenv()).orElse(null)
                    : null;
        }

        /** The Incus source, or null when it is off: the same API, its own sockets and name. */
        @Produces
        @Dependent
        InstanceSource incusSource(EngineSettings settings, EngineMode mode) {
            return onHost(mode, Daemon.INCUS) ? source(settings.lxdSocket(), Daemon.INCUS, System.getenv()).orElse(null)
                    : null;
        }

        private static boolean onHost(EngineMode mode, Daemon daemon) {
            if (!mode.onHost()) {
                // The host's instances would make an application's tests depend on the machine they run on.
                LOG.infof("%s source off: test mode, in-memory host network", daemon.title());
            }
            return mode.onHost();
        }

        /**
         * The source of {@code daemon} for {@code setting}: with {@code auto} it looks where that daemon's client
         * looks (given the environment {@code env}) for as long as it runs; with configured sockets it waits for
         * the one of that daemon, and is off when none is configured for it; empty when off.
         */
        static Optional<LxdInstanceSource> source(LxdSocketSetting setting, Daemon daemon, Map<String, String> env) {
            if (setting.kind() == LxdSocketSetting.Kind.PATHS && setting.socket(daemon).isEmpty()) {
                LOG.debugf("%s source off: no socket of it in quarkus.macvlan-shim.lxd.socket", daemon.title());
                return Optional.empty();
            }
            return places(daemon.title(), "quarkus.macvlan-shim.lxd.socket", setting.of(daemon),
                    () -> LxdSockets.candidates(daemon, env))
                    .map(places -> new LxdInstanceSource(daemon, places, LxdInstanceSource.Timing.DEFAULT));
        }
    }

    /** Registered only when the Docker/Podman source is built in. */
    @Singleton
    public static class DockerSourceProducer {

        private static final Logger LOG = Logger.getLogger(DockerSourceProducer.class);

        /** The Docker source, or null when it is off; {@code @Dependent} for the same reason as LXD's. */
        @Produces
        @Dependent
        InstanceSource dockerSource(EngineSettings settings, EngineMode mode) {
            if (!mode.onHost()) {
                LOG.info("Docker source off: test mode, in-memory host network");
                return null;
            }
            return source(settings.dockerSocket(), Optional.ofNullable(System.getenv("DOCKER_HOST"))).orElse(null);
        }

        /**
         * The source for {@code setting}: with {@code auto} it looks for the known sockets ($DOCKER_HOST first) for
         * as long as it runs, with a path it waits for that socket; empty when off.
         */
        static Optional<DockerInstanceSource> source(SocketSetting setting, Optional<String> dockerHost) {
            return places("Docker", "quarkus.macvlan-shim.docker.socket", setting,
                    () -> DockerSockets.candidates(dockerHost))
                    .map(places -> new DockerInstanceSource(places, DockerInstanceSource.Timing.DEFAULT));
        }
    }

    /**
     * Where the source of {@code title}'s daemon looks for its socket, as {@code setting} (the value of
     * {@code key}) says: the {@code known} places for {@code auto}, the configured path, or nowhere (off).
     */
    static Optional<SocketLookup.Places> places(String title, String key, SocketSetting setting,
            Supplier<List<Path>> known) {
        switch (setting.kind()) {
            case NONE:
                LOG.infof("%s source off: %s=none", title, key);
                return Optional.empty();
            case PATH:
                Path path = setting.path().orElseThrow();
                LOG.infof("%s source on: %s%s", title, path, Files.exists(path) ? "" : " (not there yet: waiting for it)");
                return Optional.of(SocketLookup.Places.configured(path));
            default:
                List<Path> candidates = known.get();
                LOG.infof("%s source auto: looking for a socket at %s", title, candidates);
                return Optional.of(SocketLookup.Places.detected(candidates));
        }
    }
}
