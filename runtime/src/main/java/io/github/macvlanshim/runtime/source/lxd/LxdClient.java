package io.github.macvlanshim.runtime.source.lxd;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import io.github.macvlanshim.runtime.net.UntrustedText;
import io.github.macvlanshim.runtime.source.JsonText;
import io.github.macvlanshim.runtime.source.unix.SocketLookup;
import io.github.macvlanshim.runtime.source.unix.UnixSocketHttp;
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
public final class LxdClient implements SocketLookup.Client {

    public static final Duration PING_INTERVAL = Duration.ofSeconds(10);

    private final UnixSocketHttp transport;
    private final OkHttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public LxdClient(Path socket) {
        this.transport = new UnixSocketHttp(socket, "macvlan-shim-lxd-http");
        // Pings keep the event WebSocket honest: a daemon that stops answering is noticed within two intervals.
        this.http = transport.client().newBuilder().pingInterval(PING_INTERVAL).build();
    }

    @Override
    public Path socket() {
        return transport.socket();
    }

    /**
     * GETs {@code path} ("/1.0/instances?recursion=2") and returns the metadata of LXD's sync answer; throws
     * naming the path, the HTTP status and LXD's error text when the call fails.
     */
    public JsonNode get(String path) throws LxdException {
        Request request = new Request.Builder().url(UnixSocketHttp.BASE + path).get().build();
        try (Response response = http.newCall(request).execute()) {
            ResponseBody body = response.body();
            String text = body == null ? "" : body.string();
            JsonNode envelope = parse(text);
            if (!response.isSuccessful()) {
                String error = envelope != null && envelope.path("error").isTextual()
                        ? UntrustedText.escape(envelope.get("error").asText())
                        : JsonText.abbreviate(json.getNodeFactory().textNode(text));
                throw new LxdException("LXD at " + socket() + ": GET " + path + " answered HTTP " + response.code()
                        + ": " + error, response.code(), null);
            }
            if (envelope == null || !envelope.isObject() || !"sync".equals(envelope.path("type").asText())) {
                throw new LxdException("LXD at " + socket() + ": GET " + path + " answered HTTP " + response.code()
                        + " with " + JsonText.abbreviate(envelope) + ", expected a sync response object",
                        response.code(), null);
            }
            JsonNode metadata = envelope.get("metadata");
            return metadata == null ? NullNode.getInstance() : metadata;
        } catch (IOException e) {
            throw new LxdException("LXD at " + socket() + ": GET " + path + " failed: " + describe(e), 0, e);
        }
    }

    /** Opens a WebSocket on {@code path} ("/1.0/events?type=lifecycle"); the listener hears everything. */
    public WebSocket webSocket(String path, WebSocketListener listener) {
        return http.newWebSocket(new Request.Builder().url(UnixSocketHttp.BASE + path).build(), listener);
    }

    /** Stops the client's threads and drops its connections; open WebSockets should be closed first. */
    @Override
    public void close() {
        transport.close();
    }

    private JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    static String describe(Throwable e) {
        return UnixSocketHttp.describe(e);
    }
}
