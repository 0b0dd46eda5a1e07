package io.github.macvlanshim.runtime.source.docker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.InstanceSource;
import io.github.macvlanshim.runtime.source.SourceAbsentException;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.SourceListener;
import io.github.macvlanshim.runtime.source.docker.DockerEndpoints.Container;
import io.github.macvlanshim.runtime.source.docker.DockerEndpoints.Engine;
import io.github.macvlanshim.runtime.source.docker.DockerEndpoints.Networks;
import io.github.macvlanshim.runtime.source.lxd.Backoff;
import io.github.macvlanshim.runtime.source.lxd.ProblemLog;
import io.github.macvlanshim.runtime.source.unix.SocketLookup;
import okhttp3.Call;

/**
 * The containers of a Docker engine, or of a Podman service through its Docker-compatible API, read on its unix
 * socket. A full snapshot is three GETs (the engine's version, its networks, its running containers), taken when
 * the engine asks (start-up, the tick, a reconnect of the event stream). Between snapshots the event stream says
 * which container changed (started, died, removed, connected to or disconnected from a network), and only that
 * container is read again (with the networks, which may be new); the engine gets that one container's endpoints.
 * An address is assigned before a container starts, so, unlike LXD, nothing is polled.
 * <p>
 * The socket is looked for where it is expected, and again every {@link Timing#probe()} while it is absent: an
 * engine that starts (or is installed) after the agent is picked up without a restart. Refreshes run one at a
 * time, in the order the events came, so a container's last event always has the last word.
 */
public final class DockerInstanceSource implements InstanceSource {

    public static final String NAME = DockerEndpoints.SOURCE;

    private static final Logger LOG = Logger.getLogger(DockerInstanceSource.class);
    /** A stream that stayed open this long was a good one: the next failure starts the backoff afresh. */
    private static final Duration STABLE = Duration.ofSeconds(10);

    private final SocketLookup<DockerClient> sockets;
    private final Timing timing;
    private final ProblemLog problems = ProblemLog.warnings();
    private final DockerEndpoints parser = new DockerEndpoints(problems);
    private final ObjectMapper json = new ObjectMapper();
    private final ExecutorService refresher;
    /** Containers waiting for a refresh, with the name their event gave (or ""), in the order they came. */
    private final Map<String, String> pending = new LinkedHashMap<>();
    /** The names of the containers seen, by ID: a network event and a removed container's event say only the ID. */
    private final Map<String, String> names = new ConcurrentHashMap<>();
    private final Backoff reconnect;
    private volatile Engine engine;
    private volatile boolean closed;
    private SourceListener listener;
    private Thread events;
    private Call stream;

    /** How fast to reconnect the event stream, and to look for an absent socket; tests shorten it. */
    public record Timing(Duration reconnectInitial, Duration reconnectCap, Duration probe) {

        public static final Timing DEFAULT = new Timing(Duration.ofMillis(200), Duration.ofSeconds(10),
                Duration.ofSeconds(1));
    }

    /**
     * @param places where the socket may be, in order: the first that exists is used
     */
    public DockerInstanceSource(SocketLookup.Places places, Timing timing) {
        this.sockets = new SocketLookup<>("Docker", places, this::open);
        this.timing = timing;
        this.reconnect = Backoff.unbounded(timing.reconnectInitial(), timing.reconnectCap());
        this.refresher = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "macvlan-shim-docker-refresh");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The engine at {@code socket}, as if configured there. */
    public static DockerInstanceSource at(Path socket, Timing timing) {
        return new DockerInstanceSource(SocketLookup.Places.configured(socket), timing);
    }

    public static DockerInstanceSource at(Path socket) {
        return at(socket, Timing.DEFAULT);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Expectation expectation() {
        return sockets.places().expectation();
    }

    /** The engine that answered last ("Podman 4.3.1 (API 1.41)"), if any did. */
    public Optional<Engine> engine() {
        return Optional.ofNullable(engine);
    }

    @Override
    public String daemon() {
        Engine answered = engine;
        Optional<Path> socket = sockets.inUse();
        return answered == null || socket.isEmpty() ? "" : answered + " at " + socket.get();
    }

    @Override
    public List<Endpoint> snapshot() throws SourceException {
        DockerClient current = sockets.client();
        Engine answering = learnEngine(current);
        Networks networks = parser.networks(answering, current.get(DockerEndpoints.networksPath(answering)));
        JsonNode containers = current.get(DockerEndpoints.CONTAINERS_PATH);
        List<Endpoint> endpoints = parser.endpoints(containers, networks);
        names.keySet().retainAll(pendingIds());
        names.putAll(parser.names(containers));
        return endpoints;
    }

    @Override
    public synchronized void subscribe(SourceListener listener) {
        if (this.listener != null) {
            throw new IllegalStateException("Docker source: already subscribed");
        }
        this.listener = listener;
        events = new Thread(this::followEvents, "macvlan-shim-docker-events");
        events.setDaemon(true);
        events.start();
    }

    @Override
    public void close() {
        Thread following;
        synchronized (this) {
            closed = true;
            if (stream != null) {
                stream.cancel();
            }
            following = events;
        }
        if (following != null) {
            following.interrupt();
        }
        refresher.shutdownNow();
        sockets.close();
    }

    /** A client on a socket just found: another engine may answer there, so who it is is asked again. */
    private DockerClient open(Path socket) {
        engine = null;
        return new DockerClient(socket);
    }

    /** Asks the engine who it is; says so when that changed (the first answer, an upgrade, Podman in Docker's place). */
    private Engine learnEngine(DockerClient current) throws SourceException {
        Engine answering = parser.engine(current.get(DockerEndpoints.VERSION_PATH));
        Engine before = engine;
        engine = answering;
        if (!answering.equals(before)) {
            LOG.infof("Docker source: %s at %s", answering, current.socket());
        }
        return answering;
    }

    /** The event thread: connects, resyncs, follows the stream, and starts over after a pause when it ends. */
    private void followEvents() {
        boolean everConnected = false;
        while (!closed) {
            DockerClient current;
            try {
                current = sockets.client();
            } catch (SourceAbsentException e) {
                // Only a stat() each time: looking often costs nothing, and an engine that appears gets quick tries.
                reconnect.reset();
                LOG.debugf("Docker source: %s; looking again in %s", e.getMessage(), timing.probe());
                if (!pause(timing.probe())) {
                    return;
                }
                continue;
            }
            long[] openedAt = {0};
            boolean wasConnected = everConnected;
            String why = "closed by the engine";
            try {
                Engine answering = learnEngine(current);
                current.events(DockerEvent.path(), this::streaming, () -> {
                    openedAt[0] = System.nanoTime();
                    LOG.infof("%s at %s: %s to its event stream; resyncing", answering, current.socket(),
                            wasConnected ? "reconnected" : "connected");
                    // Events missed while away are not replayed: only a full resync can tell.
                    resync();
                }, this::handle);
            } catch (SourceException e) {
                why = e.getMessage();
            } catch (RuntimeException e) {
                why = e.toString();
                LOG.errorf(e, "Docker source: following the event stream failed");
            }
            if (closed) {
                return;
            }
            everConnected |= openedAt[0] != 0;
            if (openedAt[0] != 0 && System.nanoTime() - openedAt[0] > STABLE.toNanos()) {
                reconnect.reset();
            }
            Duration delay = reconnect.next();
            if (delay.compareTo(timing.reconnectInitial()) <= 0) {
                LOG.warnf("Docker at %s: event stream lost: %s; reconnecting", current.socket(), why);
            } else {
                LOG.debugf("Docker at %s: event stream lost: %s; retrying in %s", current.socket(), why, delay);
            }
            if (!pause(delay)) {
                return;
            }
        }
    }

    private synchronized void streaming(Call call) {
        stream = call;
        if (closed) {
            call.cancel();
        }
    }

    /** Sleeps {@code delay}; false when closed meanwhile. */
    private boolean pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !closed;
    }

    private void handle(String line) {
        Optional<DockerEvent> parsed = DockerEvent.parse(line, json, problems);
        if (parsed.isEmpty()) {
            return;
        }
        DockerEvent event = parsed.get();
        switch (event.reaction()) {
            case RESYNC -> {
                LOG.debugf("Docker event %s %s for %s: resyncing", event.type(), event.action(), event.container());
                resync();
            }
            case REFRESH -> enqueue(event);
            default -> {
            }
        }
    }

    /** Queues a refresh of the event's container, unless one is already waiting (it will read the same state). */
    private void enqueue(DockerEvent event) {
        boolean queued;
        synchronized (pending) {
            queued = pending.containsKey(event.container());
            if (!queued || event.name().isPresent()) {
                pending.put(event.container(), event.name().orElse(pending.getOrDefault(event.container(), "")));
            }
        }
        if (queued) {
            return;
        }
        try {
            refresher.execute(() -> refresh(event.container(), event.action()));
        } catch (RejectedExecutionException e) {
            // Closing.
        }
    }

    private List<String> pendingIds() {
        synchronized (pending) {
            return List.copyOf(pending.keySet());
        }
    }

    /** Reads one container again and hands the engine its endpoints (none when it is stopped or gone). */
    private void refresh(String id, String action) {
        String named;
        synchronized (pending) {
            named = pending.remove(id);
        }
        if (closed) {
            return;
        }
        try {
            DockerClient current = sockets.client();
            Engine answering = engine;
            if (answering == null) {
                resync();
                return;
            }
            JsonNode inspect;
            try {
                inspect = current.get("/containers/" + id + "/json");
            } catch (DockerException e) {
                if (!e.notFound()) {
                    throw e;
                }
                String name = named != null && !named.isEmpty() ? named : names.get(id);
                names.remove(id);
                if (name != null) {
                    LOG.debugf("Docker event %s for %s: it is gone", action, name);
                    instanceChanged(name, List.of());
                }
                return;
            }
            // The container may be on a network made since the last snapshot.
            Networks networks = parser.networks(answering, current.get(DockerEndpoints.networksPath(answering)));
            Optional<Container> container = parser.container(inspect, networks);
            if (container.isEmpty()) {
                resync();
                return;
            }
            Container found = container.get();
            String before = names.put(id, found.name());
            if (before != null && !before.equals(found.name())) {
                instanceChanged(before, List.of());
            }
            LOG.debugf("Docker event %s for %s: %s, %d endpoints", action, found.name(),
                    found.running() ? "running" : "not running", found.endpoints().size());
            instanceChanged(found.name(), found.endpoints());
        } catch (SourceException e) {
            // The engine stopped answering: the stream ends too, and its reconnect resyncs.
            LOG.debugf("Docker: reading container %s: %s", id, e.getMessage());
            resync();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Docker: reading container %s failed", id);
            resync();
        }
    }

    private void resync() {
        SourceListener current = listener();
        if (current != null) {
            try {
                current.resync();
            } catch (RuntimeException e) {
                LOG.errorf(e, "Docker source: the change listener failed");
            }
        }
    }

    private void instanceChanged(String container, List<Endpoint> endpoints) {
        SourceListener current = listener();
        if (current != null) {
            try {
                current.instanceChanged("", container, endpoints);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Docker source: the change listener failed");
            }
        }
    }

    private synchronized SourceListener listener() {
        return closed ? null : listener;
    }
}
