package io.github.macvlanshim.runtime.net;

import java.util.List;

/** The host's network as macvlan-shim sees and changes it: read it whole, apply an ordered list of changes. */
public interface HostNetwork {

    /** Links (with addresses and IPv6 settings), main-table routes and proxy NDP entries, read at one moment. */
    NetworkState read() throws HostNetworkException;

    /**
     * Applies {@code changes} in order, owned routes marked with {@code protocol}. A change the kernel refuses
     * does not stop the others: it is returned with the kernel's reason, and every other change is still tried.
     * Throws only when the changes could not be tried at all (a change that cannot be rendered, ip missing or
     * wedged); some may have been made then. Either way the caller reads the kernel again before deciding anything.
     *
     * @return the refused changes, in plan order; empty when every change was made
     */
    List<Refusal> apply(List<Change> changes, int protocol) throws HostNetworkException;
}
