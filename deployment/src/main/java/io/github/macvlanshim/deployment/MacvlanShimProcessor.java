package io.github.macvlanshim.deployment;

import java.util.Optional;

import io.github.macvlanshim.runtime.EngineSettingsProducer;
import io.github.macvlanshim.runtime.MacvlanShimEngine;
import io.github.macvlanshim.runtime.health.MacvlanShimLivenessCheck;
import io.github.macvlanshim.runtime.health.MacvlanShimReadinessCheck;
import io.github.macvlanshim.runtime.metrics.BuildVersion;
import io.github.macvlanshim.runtime.metrics.MacvlanShimMetrics;
import io.github.macvlanshim.runtime.status.StatusRoute;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.builditem.nativeimage.NativeImageResourceBuildItem;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.metrics.MetricsCapabilityBuildItem;
import io.quarkus.runtime.metrics.MetricsFactory;
import io.quarkus.scheduler.deployment.ForceStartSchedulerBuildItem;
import io.quarkus.smallrye.health.deployment.spi.HealthBuildItem;

class MacvlanShimProcessor {

    static final String FEATURE = "macvlan-shim";

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    @BuildStep
    AdditionalBeanBuildItem engine() {
        return AdditionalBeanBuildItem.builder().addBeanClasses(MacvlanShimEngine.class, EngineSettingsProducer.class)
                .setUnremovable().build();
    }

    @BuildStep
    void staticSource(MacvlanShimBuildTimeConfig config, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (config.staticSourceEnabled()) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(EngineSettingsProducer.StaticSourceProducer.class));
        }
    }

    @BuildStep
    void lxdSource(MacvlanShimBuildTimeConfig config, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (config.lxdSourceEnabled()) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(EngineSettingsProducer.LxdSourceProducer.class));
        }
    }

    @BuildStep
    void dockerSource(MacvlanShimBuildTimeConfig config, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (config.dockerSourceEnabled()) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(EngineSettingsProducer.DockerSourceProducer.class));
        }
    }

    /** The reconcile job is scheduled programmatically, after the config is validated, so nothing else starts it. */
    @BuildStep
    ForceStartSchedulerBuildItem scheduler() {
        return new ForceStartSchedulerBuildItem();
    }

    @BuildStep
    void health(MacvlanShimBuildTimeConfig config, BuildProducer<HealthBuildItem> checks) {
        checks.produce(new HealthBuildItem(MacvlanShimReadinessCheck.class.getName(), config.healthEnabled()));
        checks.produce(new HealthBuildItem(MacvlanShimLivenessCheck.class.getName(), config.healthEnabled()));
    }

    /** The status document rides on the management interface, which only Vert.x HTTP provides. */
    @BuildStep
    void status(Capabilities capabilities, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (capabilities.isPresent(Capability.VERTX_HTTP)) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(StatusRoute.class));
        }
    }

    /** build_info reads its version from this resource; a native image has only the resources it is given. */
    @BuildStep
    NativeImageResourceBuildItem versionResource() {
        return new NativeImageResourceBuildItem(BuildVersion.RESOURCE_PATH);
    }

    @BuildStep
    void metrics(MacvlanShimBuildTimeConfig config, Optional<MetricsCapabilityBuildItem> capability,
            BuildProducer<AdditionalBeanBuildItem> beans) {
        if (config.metricsEnabled() && capability.map(c -> c.metricsSupported(MetricsFactory.MICROMETER)).orElse(false)) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(MacvlanShimMetrics.class));
        }
    }
}
