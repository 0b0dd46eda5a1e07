package io.github.macvlanshim.runtime.source;

/**
 * A NIC of a running instance that sits on a macvlan but that no shim can reach (an Incus NIC in mode private,
 * vepa or passthru, a VLAN interface whose name the daemon does not tell): left out of the routes and listed in
 * readiness data, so that an operator sees why it is not reachable from its host.
 *
 * @param parent the interface the NIC sits on, as far as it is known
 * @param why why it is not routed, in words
 */
public record UnroutableNic(String source, String project, String instance, String nic, String parent, String why) {

    /** "incus default/c1 eth0 on eth0: macvlan mode private: ...". */
    @Override
    public String toString() {
        return source + " " + project + "/" + instance + " " + nic + " on " + parent + ": " + why;
    }
}
