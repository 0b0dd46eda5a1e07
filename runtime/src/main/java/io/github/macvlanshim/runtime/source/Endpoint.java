package io.github.macvlanshim.runtime.source;

import io.github.macvlanshim.runtime.net.IpPrefix;

/**
 * An address that should be reachable through the shim on {@code parent}: one address of one NIC of one
 * instance, or one static prefix.
 *
 * @param source the source's name ("static", "lxd")
 * @param project the instance's project ("" where the source has none)
 * @param instance the instance's name (the shim's name for static prefixes)
 * @param nic the NIC (device) name inside the instance ("" where there is none)
 */
public record Endpoint(String source, String project, String instance, String nic, String parent, IpPrefix prefix) {

    /** "lxd default/c1 eth0", "static mynet": who wants the route, for logs. */
    public String origin() {
        StringBuilder text = new StringBuilder(source).append(' ');
        if (!project.isEmpty()) {
            text.append(project).append('/');
        }
        text.append(instance);
        if (!nic.isEmpty()) {
            text.append(' ').append(nic);
        }
        return text.toString();
    }
}
