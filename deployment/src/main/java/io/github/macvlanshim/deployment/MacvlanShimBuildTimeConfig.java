package io.github.macvlanshim.deployment;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** macvlan-shim: what is built into the application. */
@ConfigMapping(prefix = "quarkus.macvlan-shim")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface MacvlanShimBuildTimeConfig {

    /** Whether the readiness and liveness checks are published, when SmallRye Health is present. */
    @WithName("health.enabled")
    @WithDefault("true")
    boolean healthEnabled();

    /** Whether the meters are published, when Micrometer is present. */
    @WithName("metrics.enabled")
    @WithDefault("true")
    boolean metricsEnabled();

    /** Whether each shim's {@code static-routes} are routed (the static source). */
    @WithName("sources.static.enabled")
    @WithDefault("true")
    boolean staticSourceEnabled();

    /**
     * Whether the LXD/Incus source is built in: routes follow the instances of the daemon that
     * {@code quarkus.macvlan-shim.lxd.socket} finds. Leave it on for hosts without LXD too: it turns itself off
     * there.
     */
    @WithName("sources.lxd.enabled")
    @WithDefault("true")
    boolean lxdSourceEnabled();

    /**
     * Whether the Docker/Podman source is built in: routes follow the containers on macvlan networks of the engine
     * that {@code quarkus.macvlan-shim.docker.socket} finds. Leave it on for hosts without Docker too: it turns
     * itself off there.
     */
    @WithName("sources.docker.enabled")
    @WithDefault("true")
    boolean dockerSourceEnabled();
}
