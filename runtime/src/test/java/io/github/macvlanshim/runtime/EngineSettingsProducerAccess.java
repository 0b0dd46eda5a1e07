package io.github.macvlanshim.runtime;

import java.util.Map;
import java.util.Optional;

import io.github.macvlanshim.runtime.EngineSettingsProducer.LxdSourceProducer;
import io.github.macvlanshim.runtime.config.LxdSocketSetting;
import io.github.macvlanshim.runtime.source.lxd.Daemon;
import io.github.macvlanshim.runtime.source.lxd.LxdInstanceSource;

/** The LXD and Incus sources exactly as the extension makes them from its settings, for tests in other packages. */
public final class EngineSettingsProducerAccess {

    private EngineSettingsProducerAccess() {
    }

    /** The LXD source, with {@code LXD_DIR} set to {@code lxdDir} when present. */
    public static LxdInstanceSource source(LxdSocketSetting setting, Optional<String> lxdDir) {
        return source(setting, Daemon.LXD, lxdDir.map(dir -> Map.of("LXD_DIR", dir)).orElse(Map.of()));
    }

    /** The source of {@code daemon} in the environment {@code env}. */
    public static LxdInstanceSource source(LxdSocketSetting setting, Daemon daemon, Map<String, String> env) {
        return LxdSourceProducer.source(setting, daemon, env).orElseThrow();
    }
}
