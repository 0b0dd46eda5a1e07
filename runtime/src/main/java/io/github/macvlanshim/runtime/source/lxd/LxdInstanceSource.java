package io.github.macvlanshim.runtime.source.lxd;

import java.net.URLEncoder;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.InstanceSource;
import io.github.macvlanshim.runtime.source.SourceAbsentException;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.SourceListener;
import io.github.macvlanshim.runtime.source.UnroutableNic;
import io.github.macvlanshim.runtime.source.unix.SocketLookup;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * The instances of an LXD or Incus daemon, read from its REST API on its unix socket. A full snapshot is three
 * GETs, taken when the engine asks (start-up, the tick, a reconnect of the event stream). Between snapshots the
 * lifecycle event stream says which instance changed, and only that instance is read again (its config, then its
 * state until its address shows: no event announces an address); the engine gets that one instance's endpoints.
 * <p>
 * The socket is looked for where it is expected, and again every {@link Timing#probe()} while it is absent: a
 * daemon that starts (or is installed) after the agent is picked up without a restart.
 */
public final class LxdInstanceSource implements InstanceSource {

    static final String EVENTS_PATH = "/1.0/events?type=lifecycle&all-projects=true";

    private static final Logger LOG = Logger.getLogger(LxdInstanceSource.class);
    /** A connection that stayed open this long was a good one: the next failure starts the backoff afresh. */
    private static final Duration STABLE = Duration.ofSeconds(10);
    /** Polls that found the same endpoints once an address showed, before the wait ends. */
    private static final int SETTLED_AFTER = 3;

    private final Daemon daemon;
    private final SocketLookup<LxdClient> sockets;
    private final Timing timing;
    private final ProblemLog problems = ProblemLog.warnings();
    private final LxdEndpoints parser;
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService scheduler;
    private final Map<String, Poll> polls = new ConcurrentHashMap<>();
    private final Backoff reconnect;
    private volatile Map<String, LxdEndpoints.MacvlanNetwork> macvlanNetworks = Map.of();
    /** The NICs left out, by "project/instance": from the last snapshot, then per instance as events refresh them. */
    private final Map<String, List<UnroutableNic>> unroutable = new ConcurrentHashMap<>();
    /** Where the daemon sits, from the last snapshot; null before the first one. */
    private volatile LxdEndpoints.Server server;
    private volatile boolean closed;
    private SourceListener listener;
    private WebSocket events;
    private long openedAt;
    private boolean everConnected;

    /**
     * How fast to poll an instance for its address, to reconnect the event stream, and to look for an absent
     * socket; tests shorten it.
     */
    public record Timing(Duration pollInitial, Duration pollCap, Duration pollTotal, Duration reconnectInitial,
            Duration reconnectCap, Duration probe) {

        public static final Timing DEFAULT = new Timing(Duration.ofMillis(50), Duration.ofSeconds(2),
                Duration.ofSeconds(60), Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(1));
    }

    /**
     * @param daemon the daemon expected behind the socket: it names the source, and a socket another daemon answers
     *        on is not this source's
     * @param places where the socket may be, in order: the first that exists is used
     */
    public LxdInstanceSource(Daemon daemon, SocketLookup.Places places, Timing timing) {
        this.daemon = daemon;
        this.parser = new LxdEndpoints(daemon.sourceName(), problems);
        this.sockets = new SocketLookup<>(daemon.title(), places, LxdClient::new);
        this.timing = timing;
        this.reconnect = Backoff.unbounded(timing.reconnectInitial(), timing.reconnectCap());
        AtomicInteger threads = new AtomicInteger();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(2, task -> {
            Thread thread = new Thread(task, "macvlan-shim-" + daemon.sourceName() + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.scheduler = executor;
    }

    /** The LXD daemon at {@code socket}, as if configured there. */
    public static LxdInstanceSource at(Path socket, Timing timing) {
        return at(Daemon.LXD, socket, timing);
    }

    public static LxdInstanceSource at(Path socket) {
        return at(socket, Timing.DEFAULT);
    }

    /** The {@code daemon} at {@code socket}, as if configured there. */
    public static LxdInstanceSource at(Daemon daemon, Path socket, Timing timing) {
        return new LxdInstanceSource(daemon, SocketLookup.Places.configured(socket), timing);
    }

    /** "lxd" or "incus": the daemon it reads. */
    @Override
    public String name() {
        return daemon.sourceName();
    }

    @Override
    public List<UnroutableNic> unroutable() {
        return unroutable.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .flatMap(entry -> entry.getValue().stream()).toList();
    }

    @Override
    public Expectation expectation() {
        return sockets.places().expectation();
    }

    @Override
    public String daemon() {
        LxdEndpoints.Server answered = server;
        Optional<Path> socket = sockets.inUse();
        if (answered == null || socket.isEmpty()) {
            return "";
        }
        return answered.daemon().title() + (answered.version().isEmpty() ? "" : " " + answered.version())
                + (answered.clustered() ? " (cluster member " + answered.name() + ")" : "") + " at " + socket.get();
    }

    @Override
    public List<Endpoint> snapshot() throws SourceException {
        LxdClient current = sockets.client();
        JsonNode serverAnswer = current.get(LxdEndpoints.SERVER_PATH);
        LxdEndpoints.Server answered = parser.server(serverAnswer);
        if (answered.daemon() != daemon) {
            String why = current.socket() + " is " + answered.daemon().title() + "'s socket, not " + daemon.title()
                    + "'s";
            if (expectation() == Expectation.DETECTED) {
                // The other source reads it (an LXD_DIR that points at Incus, say): this one has no daemon of its own.
                throw new SourceAbsentException(why + " (the " + answered.daemon().sourceName() + " source reads it)");
            }
            throw new SourceException(why + ": name it " + answered.daemon().sourceName() + "=" + current.socket()
                    + " in quarkus.macvlan-shim.lxd.socket");
        }
        JsonNode networks = current.get(LxdEndpoints.NETWORKS_PATH);
        JsonNode instances = current.get(LxdEndpoints.instancesPath(serverAnswer));
        LxdEndpoints.Listing listing = parser.listing(serverAnswer, networks, instances);
        server = answered;
        macvlanNetworks = parser.macvlanNetworks(networks);
        unroutable.keySet().retainAll(listing.unroutable().keySet());
        unroutable.putAll(listing.unroutable());
        return listing.endpoints();
    }

    @Override
    public synchronized void subscribe(SourceListener listener) {
        if (this.listener != null) {
            throw new IllegalStateException(daemon.title() + " source: already subscribed");
        }
        this.listener = listener;
        scheduler.execute(this::connect);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (events != null) {
                events.cancel();
            }
        }
        scheduler.shutdownNow();
        sockets.close();
    }

    private void connect() {
        LxdClient current;
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                current = sockets.client();
            } catch (SourceAbsentException e) {
                // Only a stat() each time: looking often costs nothing, and a daemon that appears gets quick tries.
                reconnect.reset();
                LOG.debugf("%s source: %s; looking again in %s", daemon.title(), e.getMessage(), timing.probe());
                scheduleConnect(timing.probe());
                return;
            }
            events = current.webSocket(EVENTS_PATH, new Listener(current));
        }
    }

    private void scheduleConnect(Duration delay) {
        try {
            scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closing.
        }
    }

    private final class Listener extends WebSocketListener {

        private final LxdClient client;

        Listener(LxdClient client) {
            this.client = client;
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            synchronized (LxdInstanceSource.this) {
                openedAt = System.nanoTime();
                LOG.infof("%s at %s: %s to its event stream; resyncing", daemon.title(), client.socket(),
                        everConnected ? "reconnected" : "connected");
                everConnected = true;
            }
            // Events missed while away are not replayed: only a full resync can tell.
            resync();
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            LxdEvent.parse(text, json, problems).ifPresent(LxdInstanceSource.this::handle);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(1000, null);
            lost(webSocket, client, "closed by " + daemon.title() + " (" + code + (reason.isEmpty() ? "" : " " + reason) + ")");
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            lost(webSocket, client, response != null ? "HTTP " + response.code() : LxdClient.describe(t));
        }
    }

    private synchronized void lost(WebSocket webSocket, LxdClient on, String why) {
        if (closed || webSocket != events) {
            return;
        }
        events = null;
        if (openedAt != 0 && System.nanoTime() - openedAt > STABLE.toNanos()) {
            reconnect.reset();
        }
        openedAt = 0;
        Duration delay = reconnect.next();
        if (delay.compareTo(timing.reconnectInitial()) <= 0) {
            LOG.warnf("%s at %s: event stream lost: %s; reconnecting", daemon.title(), on.socket(), why);
        } else {
            LOG.debugf("%s at %s: event stream lost: %s; retrying in %s", daemon.title(), on.socket(), why, delay);
        }
        scheduleConnect(delay);
    }

    private void handle(LxdEvent event) {
        if (event.reaction() == LxdEvent.Reaction.IGNORE) {
            return;
        }
        if ("instance-renamed".equals(event.action())) {
            // The event names the new name only: the old one's endpoints are found by a full snapshot.
            LOG.debugf("%s event %s for %s/%s: resyncing", daemon.title(), event.action(), event.project(), event.instance().orElse(""));
            resync();
            return;
        }
        refresh(event.project(), event.instance().orElseThrow(), event.action());
    }

    /**
     * Reads the instance again (and its state until a macvlan NIC has a global address, or it is gone), then
     * hands the engine that instance's endpoints.
     */
    private void refresh(String project, String instance, String action) {
        String key = project + "/" + instance;
        Poll fresh = new Poll(project, instance, action);
        Poll running = polls.putIfAbsent(key, fresh);
        if (running != null) {
            running.restart();
            return;
        }
        schedule(fresh, Duration.ZERO);
    }

    private void schedule(Poll poll, Duration delay) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(poll::step, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closing: nothing to wait for any more.
        }
    }

    private final class Poll {

        private final String project;
        private final String instance;
        private final String action;
        private final Backoff backoff = Backoff.bounded(timing.pollInitial(), timing.pollCap(), timing.pollTotal());
        private LxdEndpoints.Nics nics;
        /** What this wait last reported, and how many polls since found the same: addresses come one by one. */
        private List<Endpoint> reported;
        private int unchanged;

        Poll(String project, String instance, String action) {
            this.project = project;
            this.instance = instance;
            this.action = action;
        }

        synchronized void restart() {
            backoff.reset();
            nics = null;
            unchanged = 0;
        }

        void step() {
            if (closed) {
                return;
            }
            Done done;
            try {
                done = check();
            } catch (LxdException e) {
                done = e.notFound() ? Done.with("it is gone", List.of()) : null;
                if (!e.notFound()) {
                    LOG.debugf("%s: reading %s/%s: %s", daemon.title(), project, instance, e.getMessage());
                }
            } catch (SourceException e) {
                done = null;
                LOG.debugf("%s: reading %s/%s: %s", daemon.title(), project, instance, e.getMessage());
            } catch (RuntimeException e) {
                done = Done.resync("reading it failed: " + e);
            }
            boolean report;
            boolean over;
            Duration next;
            synchronized (this) {
                if (done != null && done.settling()) {
                    // An address showed; others (the second family, a second NIC) may follow within moments.
                    report = !done.endpoints().equals(reported);
                    unchanged = report ? 0 : unchanged + 1;
                    reported = done.endpoints();
                    next = unchanged >= SETTLED_AFTER ? Duration.ZERO : backoff.next();
                    over = next.isZero();
                } else {
                    next = done == null ? backoff.next() : Duration.ZERO;
                    if (done == null && next.isZero()) {
                        done = Done.with("no address after " + timing.pollTotal().toSeconds() + " s", List.of());
                    }
                    over = done != null;
                    report = over;
                }
                if (over) {
                    polls.remove(project + "/" + instance, this);
                }
            }
            if (!over) {
                if (report) {
                    instanceChanged(project, instance, done.endpoints());
                }
                schedule(this, next);
                return;
            }
            LOG.debugf("%s event %s for %s/%s: %s", daemon.title(), action, project, instance, done.why());
            if (done.endpoints() != null && done.nics() != null) {
                if (done.nics().unroutable().isEmpty()) {
                    unroutable.remove(project + "/" + instance);
                } else {
                    unroutable.put(project + "/" + instance, done.nics().unroutable());
                }
            }
            if (done.endpoints() == null) {
                resync();
            } else if (report) {
                instanceChanged(project, instance, done.endpoints());
            }
        }

        /** The end of a wait, or null while it is not over. */
        private Done check() throws SourceException {
            LxdClient current = sockets.client();
            String query = "?project=" + URLEncoder.encode(project, StandardCharsets.UTF_8);
            String path = "/1.0/instances/" + URLEncoder.encode(instance, StandardCharsets.UTF_8);
            LxdEndpoints.Nics wanted;
            synchronized (this) {
                wanted = nics;
            }
            if (wanted == null) {
                LxdEndpoints.Server where = server;
                if (where == null) {
                    return Done.resync("no snapshot taken yet");
                }
                JsonNode config = current.get(path + query);
                String status = config.path("status").asText("");
                if (!"Running".equals(status)) {
                    return Done.with("it is " + (status.isEmpty() ? "not running" : status.toLowerCase()), List.of());
                }
                if (where.clustered() && !where.isLocal(config.path("location").asText(""))) {
                    return Done.with("it runs on another cluster member", List.of());
                }
                // The instance may use a macvlan network made since the last snapshot.
                macvlanNetworks = parser.macvlanNetworks(current.get(LxdEndpoints.NETWORKS_PATH));
                wanted = parser.runningNics(config, where, macvlanNetworks);
                synchronized (this) {
                    nics = wanted;
                }
                if (wanted.routable().isEmpty()) {
                    return Done.with(wanted.isEmpty() ? "no macvlan NIC" : "no routable macvlan NIC", List.of(), wanted);
                }
            }
            JsonNode state = current.get(path + "/state" + query);
            if (!"Running".equals(state.path("status").asText())) {
                return Done.with("it is " + state.path("status").asText("not running").toLowerCase(), List.of());
            }
            List<Endpoint> endpoints = parser.stateEndpoints(project, instance, state, wanted.routable());
            return endpoints.isEmpty() ? null : new Done("address seen", endpoints, true, wanted);
        }
    }

    /**
     * Why a wait ended, and the instance's endpoints then (null: only a full snapshot can tell); {@code settling}:
     * an address showed, and the wait goes on until its endpoints stop changing; its NICs when it runs (none when it
     * does not, or is gone; null when unknown).
     */
    private record Done(String why, List<Endpoint> endpoints, boolean settling, LxdEndpoints.Nics nics) {

        static Done with(String why, List<Endpoint> endpoints) {
            return new Done(why, endpoints, false, LxdEndpoints.Nics.NONE);
        }

        static Done with(String why, List<Endpoint> endpoints, LxdEndpoints.Nics nics) {
            return new Done(why, endpoints, false, nics);
        }

        static Done resync(String why) {
            return new Done(why, null, false, null);
        }
    }

    private void resync() {
        SourceListener current = listener();
        if (current != null) {
            try {
                current.resync();
            } catch (RuntimeException e) {
                LOG.errorf(e, "%s source: the change listener failed", daemon.title());
            }
        }
    }

    private void instanceChanged(String project, String instance, List<Endpoint> endpoints) {
        SourceListener current = listener();
        if (current != null) {
            try {
                current.instanceChanged(project, instance, endpoints);
            } catch (RuntimeException e) {
                LOG.errorf(e, "%s source: the change listener failed", daemon.title());
            }
        }
    }

    private synchronized SourceListener listener() {
        return closed ? null : listener;
    }
}
