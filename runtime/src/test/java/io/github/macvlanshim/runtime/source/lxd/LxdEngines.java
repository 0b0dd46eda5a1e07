package io.github.macvlanshim.runtime.source.lxd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import io.github.macvlanshim.lab.LxdDaemon;
import io.github.macvlanshim.runtime.Engine;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.IpRoute2HostNetwork;
import io.github.macvlanshim.runtime.reconcile.ReconcileReport;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;
import io.github.macvlanshim.runtime.source.InstanceSource;

/** The engine the LXD lab tests run: one address-less shim mynet on eth0 in the daemon's namespace, fed by it. */
public final class LxdEngines {

    private LxdEngines() {
    }

    /** Starts an engine in {@code lxd}'s namespace whose only source is {@code lxd} (LXD or Incus). */
    public static Engine start(LxdDaemon lxd, Consumer<ReconcileReport> listener) {
        return start(lxd, source(lxd), Optional.empty(), listener);
    }

    /** The source for {@code lxd}'s socket, as if configured there, named after its daemon. */
    public static LxdInstanceSource source(LxdDaemon lxd) {
        return LxdInstanceSource.at(lxd.flavor() == LxdDaemon.Flavor.INCUS ? Daemon.INCUS : Daemon.LXD, lxd.socket(),
                LxdInstanceSource.Timing.DEFAULT);
    }

    /** Starts an engine in {@code lxd}'s namespace fed by {@code source}, keeping its endpoints in {@code stateFile}. */
    public static Engine start(LxdDaemon lxd, InstanceSource source, Optional<Path> stateFile,
            Consumer<ReconcileReport> listener) {
        EngineSettings settings = new EngineSettings(List.of(new ShimSpec("mynet", "eth0", Optional.empty(),
                Optional.empty(), List.of())), Duration.ofSeconds(30), 77, OnStop.KEEP, false, Optional.of(lxd.netns()));
        return Engine.start(stateFile.map(settings::withStateFile).orElse(settings),
                new IpRoute2HostNetwork(settings.netns()), List.of(source), listener);
    }
}
