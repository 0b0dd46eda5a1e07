package io.github.macvlanshim.runtime.source.lxd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** Where an LXD or Incus daemon's API socket is found on a host. */
public final class LxdSockets {

    /** The snap's, the distribution package's, then Incus's: in the order "auto" tries them after $LXD_DIR. */
    public static final List<Path> KNOWN = List.of(Path.of("/var/snap/lxd/common/lxd/unix.socket"),
            Path.of("/var/lib/lxd/unix.socket"), Path.of("/var/lib/incus/unix.socket"));

    private LxdSockets() {
    }

    /** $LXD_DIR/unix.socket when LXD_DIR is set, then {@link #KNOWN}. */
    public static List<Path> candidates(Optional<String> lxdDir) {
        List<Path> candidates = new ArrayList<>();
        lxdDir.map(String::strip).filter(dir -> dir.startsWith("/"))
                .ifPresent(dir -> candidates.add(Path.of(dir, "unix.socket")));
        candidates.addAll(KNOWN);
        return candidates;
    }

    /** The first candidate that exists. */
    public static Optional<Path> firstExisting(Optional<String> lxdDir, Predicate<Path> exists) {
        return candidates(lxdDir).stream().filter(exists).findFirst();
    }
}
