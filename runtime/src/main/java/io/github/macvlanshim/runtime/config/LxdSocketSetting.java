package io.github.macvlanshim.runtime.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code quarkus.macvlan-shim.lxd.socket} once validated: look for a known socket, use this one, or none.
 *
 * @param path the socket, only for {@link Kind#PATH}
 */
public record LxdSocketSetting(Kind kind, Optional<Path> path) {

    public enum Kind {
        /** The first of the known socket paths that exists, looked for again while none does. */
        AUTO,
        /** The LXD source is off. */
        NONE,
        /** This socket, waited for while it does not exist. */
        PATH
    }

    public LxdSocketSetting {
        if ((kind == Kind.PATH) != path.isPresent()) {
            throw new IllegalArgumentException("a socket path goes with kind PATH only, not " + kind);
        }
    }

    public static LxdSocketSetting auto() {
        return new LxdSocketSetting(Kind.AUTO, Optional.empty());
    }

    public static LxdSocketSetting none() {
        return new LxdSocketSetting(Kind.NONE, Optional.empty());
    }

    public static LxdSocketSetting path(Path path) {
        return new LxdSocketSetting(Kind.PATH, Optional.of(path));
    }
}
