package io.github.macvlanshim.runtime.source.lxd;

import java.net.URLEncoder;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
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
    /**
     * How many instances are read every {@link Timing#pollInitial()} at once, while their first address is awaited;
     * the others back off until a slot is free: a burst of starts costs LXD a bounded rate of reads, not one per
     * instance every 50 ms.
     */
    static final int FAST_AT_ONCE = 4;

    private final Daemon daemon;
    private final SocketLookup<LxdClient> sockets;
    private final Timing timing;
    private final ProblemLog problems = ProblemLog.warnings();
    private final LxdEndpoints parser;
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService scheduler;
    private final Map<String, Poll> polls = new ConcurrentHashMap<>();
    private final Semaphore fastSlots = new Semaphore(FAST_AT_ONCE);
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
     * How fast to poll an instance for its address (see {@link AddressWait}: every {@code pollInitial} for the first
     * {@code pollFast} after an event, then doubling to {@code pollCap}, for up to {@code pollTotal}; once an address
     * shows, until the endpoints stayed the same for {@code pollFast}), to reconnect the event stream, and to look
     * for an absent socket; tests shorten it.
     */
    public record Timing(Duration pollInitial, Duration pollFast, Duration pollCap, Duration pollTotal,
            Duration reconnectInitial, Duration reconnectCap, Duration probe) {

        /**
         * Reads every 50 ms for the first 2 s: an address that shows within them is routed within about one read
         * (the reaction target is 100 ms); slow DHCP is still awaited for a minute.
         */
        public static final Timing DEFAULT = new Timing(Duration.ofMillis(50), Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMillis(200), Duration.ofSeconds(10),
                Duration.ofSeconds(1));
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
        // Independent answers: asked for together, the snapshot waits for the slower instead of both.
        CompletableFuture<JsonNode> networksAnswer = current.getAsync(LxdEndpoints.NETWORKS_PATH);
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
        Map<String, LxdEndpoints.MacvlanNetwork> networks = parser.macvlanNetworks(LxdClient.await(networksAnswer));
        LxdEndpoints.Listed listed = parser.listed(answered, networks);
        current.getEach(LxdEndpoints.instancesPath(serverAnswer), listed::add);
        LxdEndpoints.Listing listing = listed.listing();
        server = answered;
        macvlanNetworks = networks;
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
     * Reads the instance again (and its state while its addresses are awaited, as {@link AddressWait} says), then
     * hands the engine that instance's endpoints. A new event about an instance already awaited starts its wait
     * over, with a read at once.
     */
    private void refresh(String project, String instance, String action) {
        String key = project + "/" + instance;
        Poll fresh = new Poll(project, instance, action);
        while (true) {
            Poll running = polls.putIfAbsent(key, fresh);
            if (running == null) {
                fresh.schedule(0, Duration.ZERO);
                return;
            }
            if (running.restart(action)) {
                return;
            }
            // It ended just now: this event gets a wait of its own.
            polls.remove(key, running);
        }
    }

    /**
     * The delay before the next read of an awaited instance, counted from the start of the read that asked for it
     * ({@code spent} ago): reads come every {@code pollInitial}, as {@link AddressWait} means, not every
     * {@code pollInitial} plus however long the daemon took to answer (a start is when a daemon is busiest). At least
     * half the delay is left from now, so a daemon slower than that still gets a pause between reads.
     */
    static Duration fromStart(Duration delay, Duration spent) {
        Duration left = delay.minus(spent);
        Duration pause = delay.dividedBy(2);
        return left.compareTo(pause) < 0 ? pause : left;
    }

    private final class Poll {

        private final String project;
        private final String instance;
        private final AddressWait wait = new AddressWait(timing.pollInitial(), timing.pollFast(), timing.pollCap(),
                timing.pollTotal());
        private String action;
        private LxdEndpoints.Nics nics;
        /** What this wait last reported: addresses come one by one, and each change is handed on. */
        private List<Endpoint> reported;
        /** Bumped by each restart: a read scheduled before it is dropped. */
        private int generation;
        private boolean holdsFastSlot;
        private boolean over;

        Poll(String project, String instance, String action) {
            this.project = project;
            this.instance = instance;
            this.action = action;
        }

        /** Starts the wait over with a read at once; false when it has already ended. */
        synchronized boolean restart(String newAction) {
            if (over) {
                return false;
            }
            action = newAction;
            wait.restart();
            nics = null;
            generation++;
            schedule(generation, Duration.ZERO);
            return true;
        }

        /** Schedules the next read of {@code forGeneration}, unless a restart came since (it scheduled its own). */
        private synchronized void schedule(int forGeneration, Duration delay) {
            if (closed || over || forGeneration != generation) {
                return;
            }
            try {
                scheduler.schedule(() -> step(forGeneration), delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // Closing: nothing to wait for any more.
            }
        }

        void step(int scheduled) {
            synchronized (this) {
                if (closed || over || scheduled != generation) {
                    return;
                }
            }
            long began = System.nanoTime();
            Done done;
            try {
                done = check(scheduled);
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
            List<Endpoint> report;
            Optional<Duration> next = Optional.empty();
            synchronized (this) {
                if (scheduled != generation) {
                    // Restarted while reading: the read the restart scheduled tells.
                    return;
                }
                if (done == null || done.read()) {
                    List<Endpoint> found = done == null ? null : done.endpoints();
                    next = wait.next(found, mayReadFast());
                    if (!wait.wantsFast()) {
                        releaseFastSlot();
                    }
                    if (next.isPresent()) {
                        // Each change is handed on as it shows; an empty read before any address is no news.
                        boolean changed = found != null && !found.equals(reported == null ? List.of() : reported);
                        report = changed ? found : null;
                    } else {
                        done = wait.timedOut()
                                ? Done.with("no address after " + timing.pollTotal().toSeconds() + " s", List.of())
                                : new Done("its endpoints stayed the same for " + timing.pollFast().toMillis() + " ms",
                                        wait.endpoints(), false, nics);
                        report = null;
                    }
                } else {
                    report = null;
                }
                if (next.isEmpty()) {
                    over = true;
                    releaseFastSlot();
                    polls.remove(project + "/" + instance, this);
                    report = done.endpoints() != null && !done.endpoints().equals(reported) ? done.endpoints() : null;
                    if (done.endpoints() != null && done.nics() != null) {
                        if (done.nics().unroutable().isEmpty()) {
                            unroutable.remove(project + "/" + instance);
                        } else {
                            unroutable.put(project + "/" + instance, done.nics().unroutable());
                        }
                    }
                }
                if (report != null) {
                    reported = report;
                }
            }
            if (report != null) {
                instanceChanged(project, instance, report);
            }
            if (next.isPresent()) {
                schedule(scheduled, fromStart(next.get(), Duration.ofNanos(System.nanoTime() - began)));
                return;
            }
            LOG.debugf("%s event %s for %s/%s: %s", daemon.title(), action, project, instance, done.why());
            if (done.endpoints() == null) {
                resync();
            }
        }

        /** Whether this wait may read fast now: it holds one of the {@link #FAST_AT_ONCE} slots, or gets one. */
        private boolean mayReadFast() {
            if (!holdsFastSlot && wait.wantsFast()) {
                holdsFastSlot = fastSlots.tryAcquire();
            }
            return holdsFastSlot;
        }

        private void releaseFastSlot() {
            if (holdsFastSlot) {
                holdsFastSlot = false;
                fastSlots.release();
            }
        }

        /**
         * The end of a wait, or a read of the instance's state ({@link Done#read()}: its endpoints, empty while no
         * address showed).
         */
        private Done check(int scheduled) throws SourceException {
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
                    if (scheduled == generation) {
                        nics = wanted;
                    }
                }
                if (wanted.routable().isEmpty()) {
                    return Done.with(wanted.isEmpty() ? "no macvlan NIC" : "no routable macvlan NIC", List.of(), wanted);
                }
            }
            JsonNode state = current.get(path + "/state" + query);
            if (!"Running".equals(state.path("status").asText())) {
                return Done.with("it is " + state.path("status").asText("not running").toLowerCase(), List.of());
            }
            return new Done("state read", parser.stateEndpoints(project, instance, state, wanted.routable()), true, wanted);
        }
    }

    /**
     * Why a wait ended, and the instance's endpoints then (null: only a full snapshot can tell); or, {@code read},
     * what one read of its state found while the wait goes on; its NICs when it runs (none when it does not, or is
     * gone; null when unknown).
     */
    private record Done(String why, List<Endpoint> endpoints, boolean read, LxdEndpoints.Nics nics) {

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
