package io.github.macvlanshim.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.macvlanshim.runtime.net.NetworkNamespace;
import io.github.macvlanshim.runtime.net.Ownership;

class OwnershipLockTest {

    private static final NetworkNamespace LAB1 = new NetworkNamespace(4026532178L, "net:[4026532178] (/run/netns/lab1)",
            Optional.of("lab1"));
    /** The same namespace reached another way (an engine started by ip netns exec lab1). */
    private static final NetworkNamespace LAB1_OWN = new NetworkNamespace(4026532178L, "net:[4026532178] (this process's own)",
            Optional.empty());
    private static final NetworkNamespace LAB2 = new NetworkNamespace(4026532200L, "net:[4026532200] (/run/netns/lab2)",
            Optional.of("lab2"));

    @TempDir
    Path dir;

    @Test
    void aSecondEngineOnTheSameNamespaceAndProtocolIsRefusedNamingNamespaceFileAndHolderHoweverItNamesTheNamespace()
            throws Exception {
        try (OwnershipLock first = OwnershipLock.acquire(dir, LAB1, new Ownership(77))) {
            assertThat(first.path()).isEqualTo(dir.resolve("netns-4026532178+proto-77.lock"));
            assertThat(Files.readString(first.path()).strip()).isEqualTo(String.valueOf(ProcessHandle.current().pid()));

            assertThatThrownBy(() -> OwnershipLock.acquire(dir, LAB1_OWN, new Ownership(77)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("route protocol 77 in network namespace net:[4026532178] (this process's own)"
                            + " is already managed")
                    .hasMessageContaining(first.path().toString())
                    .hasMessageContaining("PID " + ProcessHandle.current().pid())
                    .hasMessageContaining("Nothing was changed");
            assertThat(Files.readString(first.path()).strip()).as("the refusal leaves the holder's PID")
                    .isEqualTo(String.valueOf(ProcessHandle.current().pid()));
        }
    }

    @Test
    void otherNamespacesAndProtocolsAreIndependentAndCloseReleases() {
        try (OwnershipLock a = OwnershipLock.acquire(dir, LAB1, new Ownership(77));
                OwnershipLock b = OwnershipLock.acquire(dir, LAB2, new Ownership(77));
                OwnershipLock c = OwnershipLock.acquire(dir, LAB1, new Ownership(78))) {
            assertThat(a.path()).isNotEqualTo(b.path()).isNotEqualTo(c.path());
        }
        OwnershipLock.acquire(dir, LAB1_OWN, new Ownership(77)).close();
    }

    @Test
    void thisProcesssOwnNamespaceIsIdentifiedByItsInode() {
        NetworkNamespace own = NetworkNamespace.of(Optional.empty());
        assertThat(own.inode()).isPositive();
        assertThat(own.description()).isEqualTo("net:[" + own.inode() + "] (this process's own)");
        assertThatThrownBy(() -> NetworkNamespace.of(Optional.of("msl-no-such-namespace")))
                .hasMessageContaining("/run/netns/msl-no-such-namespace")
                .hasMessageContaining("ip netns add msl-no-such-namespace");
    }
}
