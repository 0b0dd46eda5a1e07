package io.github.macvlanshim.runtime.source.lxd;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
import io.github.macvlanshim.runtime.source.SourceException;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * The instances of an LXD or Incus daemon, read from its REST API on its unix socket. A snapshot is three
 * GETs; the lifecycle event stream says when to take another. No event announces an address, so after an
 * instance starts its state is polled until the address shows.
 */
public final class LxdInstanceSource implements InstanceSource {

    public static final String NAME = LxdEndpoints.SOURCE;
    static final String EVENTS_PATH = "/1.0/events?type=lifecycle&all-projects=true";

    private static final Logger LOG = Logger.getLogger(LxdInstanceSource.class);
    /** A connection that stayed open this long was a good one: the next failure starts the backoff afresh. */
    private static final Duration STABLE = Duration.ofSeconds(10);

    private final LxdClient client;
    private final Timing timing;
    private final ProblemLog problems = ProblemLog.warnings();
    private final LxdEndpoints parser = new LxdEndpoints(problems);
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService scheduler;
    private final Map<String, Poll> polls = new ConcurrentHashMap<>();
    private final Backoff reconnect;
    private volatile Map<String, String> macvlanNetworks = Map.of();
    private volatile boolean closed;
    private Runnable onChange;
    private WebSocket events;
    private long openedAt;
    private boolean everConnected;

    /** How fast to poll and to reconnect; tests shorten it. */
    public record Timing(Duration pollInitial, Duration pollCap, Duration pollTotal, Duration reconnectInitial,
            Duration reconnectCap) {

        public static final Timing DEFAULT = new Timing(Duration.ofMillis(50), Duration.ofSeconds(2),
                Duration.ofSeconds(60), Duration.ofMillis(200), Duration.ofSeconds(10));
    }

    public LxdInstanceSource(LxdClient client) {
        this(client, Timing.DEFAULT);
    }

    public LxdInstanceSource(LxdClient client, Timing timing) {
        this.client = client;
        this.timing = timing;
        this.reconnect = Backoff.unbounded(timing.reconnectInitial(), timing.reconnectCap());
        AtomicInteger threads = new AtomicInteger();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(2, task -> {
            Thread thread = new Thread(task, "macvlan-shim-lxd-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.scheduler = executor;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Endpoint> snapshot() throws SourceException {
        JsonNode server = client.get(LxdEndpoints.SERVER_PATH);
        JsonNode networks = client.get(LxdEndpoints.NETWORKS_PATH);
        JsonNode instances = client.get(LxdEndpoints.INSTANCES_PATH);
        List<Endpoint> endpoints = parser.endpoints(server, networks, instances);
        macvlanNetworks = parser.macvlanNetworks(networks);
        return endpoints;
    }

    @Override
    public synchronized void subscribe(Runnable onChange) {
        if (this.onChange != null) {
            throw new IllegalStateException("LXD source: already subscribed");
        }
        this.onChange = onChange;
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
        client.close();
    }

    private synchronized void connect() {
        if (closed) {
            return;
        }
        events = client.webSocket(EVENTS_PATH, new Listener());
    }

    private final class Listener extends WebSocketListener {

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            synchronized (LxdInstanceSource.this) {
                openedAt = System.nanoTime();
                LOG.infof("LXD at %s: %s to its event stream; resyncing", client.socket(),
                        everConnected ? "reconnected" : "connected");
                everConnected = true;
            }
            // Events missed while away are not replayed: only a full resync can tell.
            changed();
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            LxdEvent.parse(text, json, problems).ifPresent(LxdInstanceSource.this::handle);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(1000, null);
            lost(webSocket, "closed by LXD (" + code + (reason.isEmpty() ? "" : " " + reason) + ")");
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            lost(webSocket, response != null ? "HTTP " + response.code() : LxdClient.describe(t));
        }
    }

    private synchronized void lost(WebSocket webSocket, String why) {
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
            LOG.warnf("LXD at %s: event stream lost: %s; reconnecting", client.socket(), why);
        } else {
            LOG.debugf("LXD at %s: event stream lost: %s; retrying in %s", client.socket(), why, delay);
        }
        scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void handle(LxdEvent event) {
        switch (event.reaction()) {
            case RESYNC -> {
                LOG.debugf("LXD event %s for %s/%s: resyncing", event.action(), event.project(),
                        event.instance().orElse(""));
                changed();
            }
            case AWAIT_ADDRESS -> awaitAddress(event.project(), event.instance().orElseThrow(), event.action());
            case IGNORE -> {
            }
        }
    }

    /** Polls the instance until a macvlan NIC has a global address (or it is gone), then asks for a resync. */
    private void awaitAddress(String project, String instance, String action) {
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
        private Map<String, String> nics;

        Poll(String project, String instance, String action) {
            this.project = project;
            this.instance = instance;
            this.action = action;
        }

        synchronized void restart() {
            backoff.reset();
            nics = null;
        }

        void step() {
            if (closed) {
                return;
            }
            String done;
            try {
                done = check();
            } catch (LxdException e) {
                done = e.notFound() ? "it is gone" : null;
                if (!e.notFound()) {
                    LOG.debugf("LXD: polling %s/%s: %s", project, instance, e.getMessage());
                }
            } catch (SourceException e) {
                done = null;
                LOG.debugf("LXD: polling %s/%s: %s", project, instance, e.getMessage());
            } catch (RuntimeException e) {
                done = "polling failed: " + e;
            }
            Duration next;
            synchronized (this) {
                next = done == null ? backoff.next() : Duration.ZERO;
                if (done == null && next.isZero()) {
                    done = "no address after " + timing.pollTotal().toSeconds() + " s";
                }
                if (done != null) {
                    polls.remove(project + "/" + instance, this);
                }
            }
            if (done != null) {
                LOG.debugf("LXD event %s for %s/%s: %s; resyncing", action, project, instance, done);
                changed();
            } else {
                schedule(this, next);
            }
        }

        /** Why the wait is over, or null while it is not. */
        private String check() throws SourceException {
            String query = "?project=" + URLEncoder.encode(project, StandardCharsets.UTF_8);
            String path = "/1.0/instances/" + URLEncoder.encode(instance, StandardCharsets.UTF_8);
            Map<String, String> wanted;
            synchronized (this) {
                wanted = nics;
            }
            if (wanted == null) {
                // The instance may use a macvlan network made since the last snapshot.
                macvlanNetworks = parser.macvlanNetworks(client.get(LxdEndpoints.NETWORKS_PATH));
                wanted = parser.macvlanNics(client.get(path + query), macvlanNetworks);
                synchronized (this) {
                    nics = wanted;
                }
                if (wanted.isEmpty()) {
                    return "no macvlan NIC";
                }
            }
            JsonNode state = client.get(path + "/state" + query);
            if (!"Running".equals(state.path("status").asText())) {
                return "it is " + state.path("status").asText("not running").toLowerCase();
            }
            return parser.stateEndpoints(project, instance, state, wanted).isEmpty() ? null : "address seen";
        }
    }

    private void changed() {
        Runnable listener;
        synchronized (this) {
            listener = onChange;
        }
        if (closed || listener == null) {
            return;
        }
        try {
            listener.run();
        } catch (RuntimeException e) {
            LOG.errorf(e, "LXD source: the change listener failed");
        }
    }
}
