package io.github.macvlanshim.runtime.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;

/**
 * The configuration once validated: what the engine runs on.
 *
 * @param lockDirectory where the engine's {@code OwnershipLock} file lives
 */
public record EngineSettings(List<ShimSpec> shims, Duration interval, int protocol, OnStop onStop, boolean dryRun,
        Optional<String> netns, LxdSocketSetting lxdSocket, Path lockDirectory) {

    public EngineSettings {
        shims = List.copyOf(shims);
    }

    /** Settings with the LXD socket left to its default, {@code auto}. */
    public EngineSettings(List<ShimSpec> shims, Duration interval, int protocol, OnStop onStop, boolean dryRun,
            Optional<String> netns) {
        this(shims, interval, protocol, onStop, dryRun, netns, LxdSocketSetting.auto());
    }

    /** Settings with the lock directory left to its default. */
    public EngineSettings(List<ShimSpec> shims, Duration interval, int protocol, OnStop onStop, boolean dryRun,
            Optional<String> netns, LxdSocketSetting lxdSocket) {
        this(shims, interval, protocol, onStop, dryRun, netns, lxdSocket, Path.of(MacvlanShimConfig.DEFAULT_LOCK_DIRECTORY));
    }

    /** These settings with the shims replaced (the engine gives each its stable MAC). */
    public EngineSettings withShims(List<ShimSpec> newShims) {
        return new EngineSettings(newShims, interval, protocol, onStop, dryRun, netns, lxdSocket, lockDirectory);
    }

    /** These settings with the lock file in {@code directory}. */
    public EngineSettings withLockDirectory(Path directory) {
        return new EngineSettings(shims, interval, protocol, onStop, dryRun, netns, lxdSocket, directory);
    }
}
