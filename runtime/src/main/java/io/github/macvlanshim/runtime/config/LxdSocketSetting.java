package io.github.macvlanshim.runtime.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.github.macvlanshim.runtime.source.lxd.Daemon;
import io.github.macvlanshim.runtime.source.lxd.LxdSockets;

/**
 * {@code quarkus.macvlan-shim.lxd.socket} once validated: look where the daemons' clients look, use these
 * sockets, or none.
 *
 * @param sockets the configured sockets, at most one per daemon, only for {@link Kind#PATHS}
 */
public record LxdSocketSetting(Kind kind, List<Socket> sockets) {

    public enum Kind {
        /** One source per daemon, each at the first of its client's socket paths that exists, looked for again while none does. */
        AUTO,
        /** The LXD and Incus sources are off. */
        NONE,
        /** These sockets, each waited for while it does not exist. */
        PATHS
    }

    /** One configured socket and the daemon expected behind it (which names its source). */
    public record Socket(Daemon daemon, Path path) {
    }

    public LxdSocketSetting {
        sockets = List.copyOf(sockets);
        if ((kind == Kind.PATHS) == sockets.isEmpty()) {
            throw new IllegalArgumentException("socket paths go with kind PATHS only, not " + kind);
        }
    }

    public static LxdSocketSetting auto() {
        return new LxdSocketSetting(Kind.AUTO, List.of());
    }

    public static LxdSocketSetting none() {
        return new LxdSocketSetting(Kind.NONE, List.of());
    }

    public static LxdSocketSetting paths(List<Socket> sockets) {
        return new LxdSocketSetting(Kind.PATHS, sockets);
    }

    /** One configured socket, taken to be the daemon its path says ({@link LxdSockets#byPath(Path)}). */
    public static LxdSocketSetting path(Path path) {
        return paths(List.of(new Socket(LxdSockets.byPath(path), path)));
    }

    /** What the setting says for {@code daemon}'s source alone: off when sockets are configured but not one of it. */
    public SocketSetting of(Daemon daemon) {
        return switch (kind) {
            case AUTO -> SocketSetting.auto();
            case NONE -> SocketSetting.none();
            case PATHS -> socket(daemon).map(socket -> SocketSetting.path(socket.path())).orElse(SocketSetting.none());
        };
    }

    /** The configured socket of {@code daemon}, for {@link Kind#PATHS}. */
    public Optional<Socket> socket(Daemon daemon) {
        return sockets.stream().filter(socket -> socket.daemon() == daemon).findFirst();
    }
}
