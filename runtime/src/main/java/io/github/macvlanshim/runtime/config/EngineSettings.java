package io.github.macvlanshim.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;

/** The configuration once validated: what the engine runs on. */
public record EngineSettings(List<ShimSpec> shims, Duration interval, int protocol, OnStop onStop, boolean dryRun,
        Optional<String> netns, LxdSocketSetting lxdSocket) {

    public EngineSettings {
        shims = List.copyOf(shims);
    }

    /** Settings with the LXD socket left to its default, {@code auto}. */
    public EngineSettings(List<ShimSpec> shims, Duration interval, int protocol, OnStop onStop, boolean dryRun,
            Optional<String> netns) {
        this(shims, interval, protocol, onStop, dryRun, netns, LxdSocketSetting.auto());
    }
}
