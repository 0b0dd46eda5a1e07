package io.github.macvlanshim.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShimLockTest {

    @TempDir
    Path dir;

    @Test
    void theHolderWritesItsPidAndASecondAcquireInTheSameProcessIsRefusedNamingShimFileAndHolder() throws Exception {
        try (ShimLock first = ShimLock.acquire(dir, Optional.of("ns1"), "mynet")) {
            assertThat(first.path()).isEqualTo(dir.resolve("netns-ns1+mynet.lock"));
            assertThat(Files.readString(first.path()).strip()).isEqualTo(String.valueOf(ProcessHandle.current().pid()));

            assertThatThrownBy(() -> ShimLock.acquire(dir, Optional.of("ns1"), "mynet"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("shim mynet in network namespace ns1 is already managed")
                    .hasMessageContaining(first.path().toString())
                    .hasMessageContaining("PID " + ProcessHandle.current().pid())
                    .hasMessageContaining("Nothing was changed");
            assertThat(Files.readString(first.path()).strip()).as("the refusal leaves the holder's PID")
                    .isEqualTo(String.valueOf(ProcessHandle.current().pid()));
        }
    }

    @Test
    void otherNamespacesAndShimsAreIndependentAndCloseReleases() {
        try (ShimLock a = ShimLock.acquire(dir, Optional.empty(), "mynet");
                ShimLock b = ShimLock.acquire(dir, Optional.of("ns1"), "mynet");
                ShimLock c = ShimLock.acquire(dir, Optional.empty(), "other")) {
            assertThat(a.path().getFileName()).hasToString("host+mynet.lock");
        }
        ShimLock again = ShimLock.acquire(dir, Optional.empty(), "mynet");
        again.close();
    }

    @Test
    void dottedNamesCannotCollide() {
        assertThat(ShimLock.fileName(Optional.of("a.b"), "c")).isNotEqualTo(ShimLock.fileName(Optional.of("a"), "b.c"));
    }
}
