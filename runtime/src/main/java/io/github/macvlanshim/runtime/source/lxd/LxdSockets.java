package io.github.macvlanshim.runtime.source.lxd;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a daemon's API socket is found on a host: where its own client looks, in the client's order (LXD's
 * {@code client/connection.go} ConnectLXDUnix, Incus's ConnectIncusUnix).
 * <ul>
 * <li>LXD: {@code $LXD_SOCKET} if set; else {@code $LXD_DIR/unix.socket} if set (the snap's {@code lxc} sets
 * LXD_DIR to {@code /var/snap/lxd/common/lxd}); else the snap's, then {@code /var/lib/lxd/unix.socket}.</li>
 * <li>Incus: {@code $INCUS_SOCKET} if set; else {@code $INCUS_DIR/unix.socket} if set; else
 * {@code /run/incus/unix.socket} (the client takes it when it exists), then {@code /var/lib/incus/unix.socket}.</li>
 * </ul>
 * As with the clients, a variable that is set decides alone: the defaults are not tried behind it.
 */
public final class LxdSockets {

    public static final Path LXD_SNAP = Path.of("/var/snap/lxd/common/lxd/unix.socket");
    public static final Path LXD_PACKAGE = Path.of("/var/lib/lxd/unix.socket");
    public static final Path INCUS_RUN = Path.of("/run/incus/unix.socket");
    public static final Path INCUS_PACKAGE = Path.of("/var/lib/incus/unix.socket");

    private LxdSockets() {
    }

    /** Where {@code daemon}'s client would look, given the agent's environment {@code env}. */
    public static List<Path> candidates(Daemon daemon, Map<String, String> env) {
        String prefix = daemon == Daemon.LXD ? "LXD" : "INCUS";
        Optional<Path> socket = absolute(env.get(prefix + "_SOCKET"));
        if (socket.isPresent()) {
            return List.of(socket.get());
        }
        Optional<Path> dir = absolute(env.get(prefix + "_DIR"));
        if (dir.isPresent()) {
            return List.of(dir.get().resolve("unix.socket"));
        }
        return daemon == Daemon.LXD ? List.of(LXD_SNAP, LXD_PACKAGE) : List.of(INCUS_RUN, INCUS_PACKAGE);
    }

    /**
     * The daemon a socket path named in the configuration is taken to be when the entry does not say: Incus when
     * a directory on its path is Incus's (/var/lib/incus, /run/incus, or any named with "incus"), LXD otherwise.
     * The daemon's own answer is checked against it.
     */
    public static Daemon byPath(Path socket) {
        for (Path part : socket) {
            if (part.toString().toLowerCase(java.util.Locale.ROOT).contains("incus")) {
                return Daemon.INCUS;
            }
        }
        return Daemon.LXD;
    }

    /** Set, absolute and without "." or ".." steps, as the clients would use it; otherwise not used. */
    private static Optional<Path> absolute(String value) {
        if (value == null || value.isBlank() || !value.startsWith("/")) {
            return Optional.empty();
        }
        Path path = Path.of(value);
        for (Path part : path) {
            if (part.toString().equals("..") || part.toString().equals(".")) {
                return Optional.empty();
            }
        }
        return Optional.of(path.normalize());
    }
}
