package io.github.macvlanshim.runtime;

import io.quarkus.runtime.LaunchMode;

/**
 * What the engine works on, by Quarkus launch mode: a test run never touches the machine it runs on unless
 * asked to, and dev mode leaves nothing behind.
 */
public enum EngineMode {

    /** Production: the host's network, on-stop as configured. */
    HOST("the host's network"),
    /**
     * Dev mode: the host's network, and what the engine made is removed whenever the application stops: at a
     * live reload (the restarted engine makes what the new configuration says, so a shim renamed away is gone)
     * and when dev mode ends.
     */
    DEV("the host's network; dev mode: shims and routes it makes are removed at every restart and when dev mode ends"),
    /** Test mode, unless {@code quarkus.macvlan-shim.test.real-host=true}: an in-memory host network. */
    IN_MEMORY("an in-memory host network; test mode: nothing on this machine is read or changed"
            + " (quarkus.macvlan-shim.test.real-host=true runs the real engine)");

    private final String description;

    EngineMode(String description) {
        this.description = description;
    }

    public static EngineMode of(LaunchMode launchMode, boolean realHostInTests) {
        if (launchMode == LaunchMode.TEST) {
            return realHostInTests ? HOST : IN_MEMORY;
        }
        return launchMode.isDev() ? DEV : HOST;
    }

    /** Whether the engine reads and changes a real kernel (needs CAP_NET_ADMIN, takes locks, runs ip monitor). */
    public boolean onHost() {
        return this != IN_MEMORY;
    }

    /** For logs and health data: what the engine works on, and why. */
    public String description() {
        return description;
    }
}
