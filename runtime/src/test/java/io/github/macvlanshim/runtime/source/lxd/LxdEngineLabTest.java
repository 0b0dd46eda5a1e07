package io.github.macvlanshim.runtime.source.lxd;

import io.github.macvlanshim.lab.LxdDaemon;

/** The engine's scenarios against a real LXD 5.0 daemon (Debian bookworm's). */
class LxdEngineLabTest extends DaemonEngineScenarios {

    @Override
    LxdDaemon.Flavor flavor() {
        return LxdDaemon.Flavor.LXD;
    }
}
