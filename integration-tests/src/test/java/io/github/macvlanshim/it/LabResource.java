package io.github.macvlanshim.it;

import java.util.Map;

import io.github.macvlanshim.lab.Lab;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A fresh lab (LAN, host namespace, container c1 on a macvlan of the host's eth0) for the application under
 * test, which runs its engine in the lab's host namespace. Removed when the application stops.
 */
public class LabResource implements QuarkusTestResourceLifecycleManager {

    static final String C1_V4 = "198.51.100.253";
    static final String C1_V6 = "2001:db8:100::253";
    /** Wanted by config, held by no container: room for a foreign route to collide with. */
    static final String SPARE_V4 = "198.51.100.240";

    /** The lab of the application now running; tests in this JVM reach it here. */
    static volatile Lab lab;
    static volatile String container;

    private Lab mine;

    @Override
    public Map<String, String> start() {
        Lab.sweepStale();
        mine = Lab.create();
        container = mine.addContainer("c1", C1_V4, C1_V6);
        lab = mine;
        return Map.of(
                // The real engine, in the lab: test mode would give it an in-memory host network.
                "quarkus.macvlan-shim.test.real-host", "true",
                "quarkus.macvlan-shim.netns", mine.hostNetns(),
                "quarkus.macvlan-shim.shims.mynet.parent", "eth0",
                "quarkus.macvlan-shim.shims.mynet.static-routes", C1_V4 + "," + C1_V6 + "," + SPARE_V4,
                // Hermetic: never the machine's own LXD, should it have one.
                "quarkus.macvlan-shim.lxd.socket", "none");
    }

    @Override
    public void stop() {
        if (mine != null) {
            mine.close();
        }
    }
}
