package io.github.macvlanshim.runtime.source.docker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Where a Docker engine's or a rootful Podman service's API socket is found on a host. */
public final class DockerSockets {

    /** Docker's (and its older /var/run spelling), then rootful Podman's: in the order "auto" tries them. */
    public static final List<Path> KNOWN = List.of(Path.of("/run/docker.sock"), Path.of("/var/run/docker.sock"),
            Path.of("/run/podman/podman.sock"));

    private static final String UNIX = "unix://";

    private DockerSockets() {
    }

    /**
     * The socket $DOCKER_HOST names when it is a {@code unix://} address with an absolute path, then {@link #KNOWN}.
     * A TCP or SSH DOCKER_HOST is not ours to follow: the agent reads only local engines.
     */
    public static List<Path> candidates(Optional<String> dockerHost) {
        List<Path> candidates = new ArrayList<>();
        dockerHost.map(String::strip).filter(host -> host.startsWith(UNIX + "/"))
                .map(host -> Path.of(host.substring(UNIX.length())).normalize())
                .filter(path -> !candidates.contains(path))
                .ifPresent(candidates::add);
        KNOWN.stream().filter(path -> !candidates.contains(path)).forEach(candidates::add);
        return candidates;
    }
}
