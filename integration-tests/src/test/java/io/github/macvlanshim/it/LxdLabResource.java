package io.github.macvlanshim.it;

import java.util.Map;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LabDir;
import io.github.macvlanshim.lab.LxdDaemon;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A lab whose host runs a real LXD daemon; the application's engine works in that host and talks to it. */
public class LxdLabResource implements QuarkusTestResourceLifecycleManager {

    static volatile Lab lab;
    static volatile LxdDaemon lxd;

    @Override
    public Map<String, String> start() {
        LabDir.sweepStale();
        Lab.sweepStale();
        lab = Lab.create();
        lxd = LxdDaemon.start(lab.hostNetns());
        return Map.of(
                "quarkus.macvlan-shim.netns", lab.hostNetns(),
                "quarkus.macvlan-shim.shims.mynet.parent", "eth0",
                "quarkus.macvlan-shim.lxd.socket", lxd.socket().toString());
    }

    @Override
    public void stop() {
        try {
            if (lxd != null) {
                lxd.close();
            }
        } finally {
            if (lab != null) {
                lab.close();
            }
        }
    }
}
