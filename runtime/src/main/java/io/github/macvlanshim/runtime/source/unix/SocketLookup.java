package io.github.macvlanshim.runtime.source.unix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.github.macvlanshim.runtime.source.InstanceSource.Expectation;
import io.github.macvlanshim.runtime.source.SourceAbsentException;

/**
 * Where a source's daemon has its API socket, and the one client the source keeps on it: the first of the places
 * that exists, kept while it exists, and looked for again among all the places once it is gone (a daemon moved, or
 * restarted from another directory). Only a stat() each time, so a source may ask before every call and a daemon
 * that starts (or is installed) after the agent is picked up without a restart.
 *
 * @param <C> the client a socket gets (the LXD or the Docker API)
 */
public final class SocketLookup<C extends SocketLookup.Client> {

    private static final Logger LOG = Logger.getLogger(SocketLookup.class);

    /** A client bound to one socket. */
    public interface Client extends AutoCloseable {

        Path socket();

        @Override
        void close();
    }

    /**
     * Where a socket may be, in order, and whether it is expected there.
     *
     * @param expectation {@link Expectation#CONFIGURED} for a socket named in the configuration,
     *        {@link Expectation#DETECTED} for the known places {@code auto} looks at
     */
    public record Places(List<Path> paths, Expectation expectation) {

        public Places {
            paths = List.copyOf(paths);
            if (paths.isEmpty()) {
                throw new IllegalArgumentException("no socket path to look at");
            }
        }

        /** The socket named in the configuration: always waited for. */
        public static Places configured(Path socket) {
            return new Places(List.of(socket), Expectation.CONFIGURED);
        }

        /** The known places: waited for once one has been seen. */
        public static Places detected(List<Path> known) {
            return new Places(known, Expectation.DETECTED);
        }

        @Override
        public String toString() {
            return paths.size() == 1 ? paths.get(0).toString() : paths.toString();
        }
    }

    private final String title;
    private final Places places;
    private final Function<Path, C> open;
    private C client;

    /**
     * @param title the source's daemon for log lines ("LXD", "Docker")
     * @param open the client for a socket that was found
     */
    public SocketLookup(String title, Places places, Function<Path, C> open) {
        this.title = title;
        this.places = places;
        this.open = open;
    }

    public Places places() {
        return places;
    }

    /**
     * The client on the socket in use, or on the first place that exists when that socket is gone (the old client
     * is closed). Throws {@link SourceAbsentException}, naming the places, when none exists.
     */
    public synchronized C client() throws SourceAbsentException {
        if (client != null && Files.exists(client.socket())) {
            return client;
        }
        Optional<Path> found = places.paths().stream().filter(Files::exists).findFirst();
        if (found.isEmpty()) {
            throw new SourceAbsentException("no API socket at " + places);
        }
        if (client != null) {
            client.close();
        }
        client = open.apply(found.get());
        LOG.infof("%s source: using the socket %s", title, found.get());
        return client;
    }

    /** The socket of the client in use, if one was found: where the daemon last answered. */
    public synchronized Optional<Path> inUse() {
        return Optional.ofNullable(client).map(Client::socket);
    }

    /** Closes the client in use, if any. */
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
