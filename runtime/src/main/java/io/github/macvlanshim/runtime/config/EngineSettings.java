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
 * @param lxdSocket where the LXD and Incus sources look for their daemons
 * @param dockerSocket where the Docker/Podman source looks for its engine
 * @param stateFile where the sources' last good endpoints outlive a restart; empty: they do not
 * @param lockDirectory where the engine's {@code OwnershipLock} file lives
 */
public record EngineSettings(List<ShimSpec> shims, Duration interval, int protocol, OnStop onStop, boolean dryRun,
        Optional<String> netns, LxdSocketSetting lxdSocket, SocketSetting dockerSocket, Optional<Path> stateFile,
        Path lockDirectory) {

    public EngineSettings {
        shims = List.copyOf(shims);
    }

    /** Settings with the lock directory left to its default. */
    public EngineSettings(List<ShimSpec> shims, Duration interval, int protocol, OnStop onStop, boolean dryRun,
            Optional<String> netns, LxdSocketSetting lxdSocket, SocketSetting dockerSocket, Optional<Path> stateFile) {
        this(shims, interval, protocol, onStop, dryRun, netns, lxdSocket, dockerSocket, stateFile,
                Path.of(MacvlanShimConfig.DEFAULT_LOCK_DIRECTORY));
    }

    /**
     * Settings with the LXD and Docker sockets left to their default, {@code auto}, no state file and the default
     * lock directory.
     */
    public EngineSettings(List<ShimSpec> shims, Duration interval, int protocol, OnStop onStop, boolean dryRun,
            Optional<String> netns) {
        this(shims, interval, protocol, onStop, dryRun, netns, LxdSocketSetting.auto(), SocketSetting.auto(), Optional.empty());
    }

    /** These settings with the sources' endpoints kept in {@code file}. */
    public EngineSettings withStateFile(Path file) {
        return new EngineSettings(shims, interval, protocol, onStop, dryRun, netns, lxdSocket, dockerSocket,
                Optional.of(file), lockDirectory);
    }

    /** These settings with the shims replaced (the engine gives each its stable MAC). */
    public EngineSettings withShims(List<ShimSpec> newShims) {
        return new EngineSettings(newShims, interval, protocol, onStop, dryRun, netns, lxdSocket, dockerSocket, stateFile,
                lockDirectory);
    }

    /** These settings with the lock file in {@code directory}. */
    public EngineSettings withLockDirectory(Path directory) {
        return new EngineSettings(shims, interval, protocol, onStop, dryRun, netns, lxdSocket, dockerSocket, stateFile,
                directory);
    }
}
