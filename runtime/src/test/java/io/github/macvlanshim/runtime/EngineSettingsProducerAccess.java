package io.github.macvlanshim.runtime;

import java.util.Optional;

import io.github.macvlanshim.runtime.EngineSettingsProducer.LxdSourceProducer;
import io.github.macvlanshim.runtime.config.SocketSetting;
import io.github.macvlanshim.runtime.source.lxd.LxdInstanceSource;

/** The LXD source exactly as the extension makes it from its settings, for tests in other packages. */
public final class EngineSettingsProducerAccess {

    private EngineSettingsProducerAccess() {
    }

    public static LxdInstanceSource source(SocketSetting setting, Optional<String> lxdDir) {
        return LxdSourceProducer.source(setting, lxdDir).orElseThrow();
    }
}
