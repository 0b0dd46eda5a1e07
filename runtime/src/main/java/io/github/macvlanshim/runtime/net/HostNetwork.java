package io.github.macvlanshim.runtime.net;

import java.util.List;

/** The host's network as macvlan-shim sees and changes it: read it whole, apply an ordered list of changes. */
public interface HostNetwork {

    /** Links (with addresses and IPv6 settings), main-table routes and proxy NDP entries, read at one moment. */
    NetworkState read() throws HostNetworkException;

    /**
     * Applies {@code changes} in order, owned routes marked with {@code protocol}. On failure some changes
     * may have been applied: the caller reads the kernel again before deciding anything.
     */
    void apply(List<Change> changes, int protocol) throws HostNetworkException;
}
