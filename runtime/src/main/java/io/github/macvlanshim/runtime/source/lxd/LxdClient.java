package io.github.macvlanshim.runtime.source.lxd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.SocketFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import io.github.macvlanshim.runtime.net.UntrustedText;

import jnr.unixsocket.UnixSocket;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import okhttp3.Dispatcher;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * The LXD (or Incus) REST API on its unix socket: one HTTP client whose every connection is that socket,
 * whatever host the URL names. Every call is bounded by timeouts, so none can hang the reconciler.
 */
public final class LxdClient implements AutoCloseable {

    /** The URL host is a placeholder: every connection goes to the socket. */
    static final String BASE = "http://lxd";
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration PING_INTERVAL = Duration.ofSeconds(10);

    private final Path socket;
    private final OkHttpClient http;
    private final ExecutorService dispatcher;
    private final ObjectMapper json = new ObjectMapper();

    public LxdClient(Path socket) {
        this.socket = socket;
        AtomicInteger threads = new AtomicInteger();
        // OkHttp's own default, with named daemon threads that close() can stop.
        this.dispatcher = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "macvlan-shim-lxd-http-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.http = new OkHttpClient.Builder()
                .socketFactory(new PathSocketFactory(socket))
                .dns(host -> List.of(InetAddress.getLoopbackAddress()))
                .proxy(Proxy.NO_PROXY)
                .dispatcher(new Dispatcher(dispatcher))
                .connectTimeout(CONNECT_TIMEOUT)
                .readTimeout(READ_TIMEOUT)
                .writeTimeout(READ_TIMEOUT)
                .callTimeout(CALL_TIMEOUT)
                .pingInterval(PING_INTERVAL)
                .retryOnConnectionFailure(true)
                .build();
    }

    public Path socket() {
        return socket;
    }

    /**
     * GETs {@code path} ("/1.0/instances?recursion=2") and returns the metadata of LXD's sync answer; throws
     * naming the path, the HTTP status and LXD's error text when the call fails.
     */
    public JsonNode get(String path) throws LxdException {
        Request request = new Request.Builder().url(BASE + path).get().build();
        try (Response response = http.newCall(request).execute()) {
            ResponseBody body = response.body();
            String text = body == null ? "" : body.string();
            JsonNode envelope = parse(text);
            if (!response.isSuccessful()) {
                String error = envelope != null && envelope.path("error").isTextual()
                        ? UntrustedText.escape(envelope.get("error").asText())
                        : LxdEndpoints.abbreviate(json.getNodeFactory().textNode(text));
                throw new LxdException("LXD at " + socket + ": GET " + path + " answered HTTP " + response.code()
                        + ": " + error, response.code(), null);
            }
            if (envelope == null || !envelope.isObject() || !"sync".equals(envelope.path("type").asText())) {
                throw new LxdException("LXD at " + socket + ": GET " + path + " answered HTTP " + response.code()
                        + " with " + LxdEndpoints.abbreviate(envelope) + ", expected a sync response object",
                        response.code(), null);
            }
            JsonNode metadata = envelope.get("metadata");
            return metadata == null ? NullNode.getInstance() : metadata;
        } catch (IOException e) {
            throw new LxdException("LXD at " + socket + ": GET " + path + " failed: " + describe(e), 0, e);
        }
    }

    /** Opens a WebSocket on {@code path} ("/1.0/events?type=lifecycle"); the listener hears everything. */
    public WebSocket webSocket(String path, WebSocketListener listener) {
        return http.newWebSocket(new Request.Builder().url(BASE + path).build(), listener);
    }

    /** Stops the client's threads and drops its connections; open WebSockets should be closed first. */
    @Override
    public void close() {
        dispatcher.shutdownNow();
        http.connectionPool().evictAll();
    }

    private JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    /** jnr reports a missing or refused socket without a message of its own. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        String kind = e.getClass().getSimpleName();
        return message == null || message.isBlank() ? kind : kind + ": " + message;
    }

    /** Sockets that connect to the unix socket at {@code path}, whatever address OkHttp asks for. */
    static final class PathSocketFactory extends SocketFactory {

        private final Path path;

        PathSocketFactory(Path path) {
            this.path = path;
        }

        @Override
        public Socket createSocket() throws IOException {
            return new PathSocket(path);
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected();
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connected();
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected();
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return connected();
        }

        private Socket connected() throws IOException {
            Socket socket = createSocket();
            socket.connect(null, (int) CONNECT_TIMEOUT.toMillis());
            return socket;
        }
    }

    /**
     * jnr's own connect refuses an {@code InetSocketAddress} with an unchecked exception; OkHttp only ever
     * hands one over, so the address is replaced by the socket path.
     */
    static final class PathSocket extends UnixSocket {

        private final Path path;

        PathSocket(Path path) throws IOException {
            super(UnixSocketChannel.open());
            this.path = path;
        }

        @Override
        public void connect(SocketAddress ignored) throws IOException {
            connect(ignored, 0);
        }

        @Override
        public void connect(SocketAddress ignored, int timeout) throws IOException {
            try {
                super.connect(new UnixSocketAddress(path.toFile()), timeout);
            } catch (RuntimeException e) {
                // jnr turns some errno values into unchecked exceptions: a refused socket is an I/O failure.
                throw new IOException("cannot connect to " + path + ": " + describe(e), e);
            }
        }
    }
}
