package io.github.macvlanshim.runtime.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A network namespace by identity: the inode of its nsfs file, the same whatever name or path leads to it.
 * Two engines in one namespace (one with {@code netns=NAME}, one started by {@code ip netns exec NAME}) see
 * the same inode; engines in two namespaces never do, even if neither is configured with a name.
 *
 * @param inode the namespace's inode number ({@code stat -L /proc/self/ns/net})
 * @param description how it was reached, for messages: "net:[4026531833] (this process's own)" or
 *        "net:[4026532178] (/run/netns/lab1)"
 * @param name the configured namespace name, if any: part of what keeps a derived MAC stable across re-creations
 */
public record NetworkNamespace(long inode, String description, Optional<String> name) {

    static final Path OWN = Path.of("/proc/self/ns/net");
    static final Path NAMED = Path.of("/run/netns");

    /** The namespace {@code netns} names under /run/netns, or this process's own; throws naming the path. */
    public static NetworkNamespace of(Optional<String> netns) {
        Path path = netns.map(NAMED::resolve).orElse(OWN);
        long inode;
        try {
            // Reading the attribute follows the nsfs link: the inode is the namespace's, not the link's.
            inode = ((Number) Files.getAttribute(path, "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            throw new IllegalStateException("macvlan-shim cannot identify the network namespace " + path + ": " + e
                    + "; expected " + (netns.isPresent() ? "a namespace made by 'ip netns add " + netns.get() + "'"
                            : "a Linux /proc"), e);
        }
        String how = netns.map(name -> NAMED.resolve(name).toString()).orElse("this process's own");
        return new NetworkNamespace(inode, "net:[" + inode + "] (" + how + ")", netns);
    }

    /**
     * What a derived MAC rests on: the configured name (stable when a lab namespace is made again), else the
     * inode (the host's own namespace has the same inode on every boot).
     */
    public String stableKey() {
        return name.map(n -> "netns " + n).orElse("net:[" + inode + "]");
    }

    @Override
    public String toString() {
        return description;
    }
}
