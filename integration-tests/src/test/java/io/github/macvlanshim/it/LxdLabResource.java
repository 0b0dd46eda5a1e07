package io.github.macvlanshim.it;

import java.util.Map;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LxdDaemon;
import io.github.macvlanshim.lab.LxdHost;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A lab whose host runs a real LXD daemon; the application's engine works in that host and talks to it. */
public class LxdLabResource implements QuarkusTestResourceLifecycleManager {

    static volatile Lab lab;
    static volatile LxdDaemon lxd;

    private LxdHost host;

    @Override
    public Map<String, String> start() {
        host = LxdHost.start();
        lab = host.lab();
        lxd = host.lxd();
        return Map.of(
                // The real engine, in the lab: test mode would give it an in-memory host network.
                "quarkus.macvlan-shim.test.real-host", "true",
                "quarkus.macvlan-shim.netns", lab.hostNetns(),
                "quarkus.macvlan-shim.shims.mynet.parent", "eth0",
                "quarkus.macvlan-shim.lxd.socket", lxd.socket().toString());
    }

    @Override
    public void stop() {
        if (host != null) {
            host.close();
        }
    }
}
