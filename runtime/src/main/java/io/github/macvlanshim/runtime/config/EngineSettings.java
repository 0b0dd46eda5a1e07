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
 * @param dockerSocket where the Docker/Podman source looks for its engine
 * @param stateFile where the sources' last good endpoints outlive a restart; empty: they do not
 */
public record EngineSettings(List<ShimSpec> shims, Duration interval, int protocol, OnStop onStop, boolean dryRun,
        Optional<String> netns, SocketSetting lxdSocket, SocketSetting dockerSocket, Optional<Path> stateFile) {

    public EngineSettings {
        shims = List.copyOf(shims);
    }

    /** Settings with the LXD and Docker sockets left to their default, {@code auto}, and no state file. */
    public EngineSettings(List<ShimSpec> shims, Duration interval, int protocol, OnStop onStop, boolean dryRun,
            Optional<String> netns) {
        this(shims, interval, protocol, onStop, dryRun, netns, SocketSetting.auto(), SocketSetting.auto(), Optional.empty());
    }

    /** These settings with the sources' endpoints kept in {@code file}. */
    public EngineSettings withStateFile(Path file) {
        return new EngineSettings(shims, interval, protocol, onStop, dryRun, netns, lxdSocket, dockerSocket,
                Optional.of(file));
    }
}
