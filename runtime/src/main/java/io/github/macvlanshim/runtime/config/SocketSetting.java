package io.github.macvlanshim.runtime.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A source's API socket setting once validated ({@code quarkus.macvlan-shim.lxd.socket},
 * {@code quarkus.macvlan-shim.docker.socket}): look for a known socket, use this one, or none.
 *
 * @param path the socket, only for {@link Kind#PATH}
 */
public record SocketSetting(Kind kind, Optional<Path> path) {

    public enum Kind {
        /** The first of the known socket paths that exists, looked for again while none does. */
        AUTO,
        /** The source is off. */
        NONE,
        /** This socket, waited for while it does not exist. */
        PATH
    }

    public SocketSetting {
        if ((kind == Kind.PATH) != path.isPresent()) {
            throw new IllegalArgumentException("a socket path goes with kind PATH only, not " + kind);
        }
    }

    public static SocketSetting auto() {
        return new SocketSetting(Kind.AUTO, Optional.empty());
    }

    public static SocketSetting none() {
        return new SocketSetting(Kind.NONE, Optional.empty());
    }

    public static SocketSetting path(Path path) {
        return new SocketSetting(Kind.PATH, Optional.of(path));
    }
}
