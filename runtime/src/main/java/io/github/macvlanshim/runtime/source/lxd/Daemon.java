package io.github.macvlanshim.runtime.source.lxd;

import java.nio.charset.StandardCharsets;

/**
 * The two daemons that speak this API. They differ in where their clients look for the socket, in what GET /1.0
 * says in {@code environment.server}, and in how they name the VLAN interface a NIC with a {@code vlan} key sits
 * on. The source reading a daemon is named after it.
 */
public enum Daemon {

    LXD("lxd", "LXD"),
    INCUS("incus", "Incus");

    /** The longest interface name the kernel takes (IFNAMSIZ less the terminating NUL). */
    static final int MAX_INTERFACE_NAME = 15;

    private final String server;
    private final String title;

    Daemon(String server, String title) {
        this.server = server;
        this.title = title;
    }

    /** What GET /1.0 says in {@code environment.server}, and the source's name in logs, health and metrics. */
    public String sourceName() {
        return server;
    }

    /** "LXD", "Incus": for log lines. */
    public String title() {
        return title;
    }

    /** The daemon whose {@code environment.server} is {@code server}, or null for any other text. */
    public static Daemon ofServer(String server) {
        for (Daemon daemon : values()) {
            if (daemon.server.equals(server)) {
                return daemon;
            }
        }
        return null;
    }

    /**
     * The interface a macvlan NIC on {@code parent} with VLAN {@code vlan} sits on, as this daemon names the VLAN
     * interface it makes: {@code <parent>.<vlan>} for both (LXD's and Incus's {@code network.GetHostDevice}); Incus
     * uses {@code incus-vlan-<vlan>} instead when that would be longer than the kernel's 15 bytes. (Both reuse a VLAN
     * interface that already exists for that parent and ID, whatever its name: that case is not followed here.)
     */
    public String vlanInterface(String parent, String vlan) {
        String name = parent + "." + vlan;
        if (this == INCUS && name.getBytes(StandardCharsets.UTF_8).length > MAX_INTERFACE_NAME) {
            return "incus-vlan-" + vlan;
        }
        return name;
    }
}
