package io.github.macvlanshim.runtime.source.lxd;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import io.github.macvlanshim.runtime.Futures;
import io.github.macvlanshim.runtime.net.UntrustedText;
import io.github.macvlanshim.runtime.source.JsonText;
import io.github.macvlanshim.runtime.source.unix.SocketLookup;
import io.github.macvlanshim.runtime.source.unix.UnixSocketHttp;
import okhttp3.Call;
import okhttp3.Callback;
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
        try (Response response = call(path)) {
            return metadata(path, response);
        } catch (IOException e) {
            throw failed(path, e);
        }
    }

    /**
     * As {@link #get}, on the client's dispatcher thread: returns at once, so two GETs are under way together (a
     * snapshot asks for the server and its networks at the same time). Completes with what {@link #get} returns,
     * or with the {@link LxdException} it throws.
     */
    public CompletableFuture<JsonNode> getAsync(String path) {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        http.newCall(request(path)).enqueue(new Callback() {
            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    answer.complete(metadata(path, response));
                } catch (LxdException e) {
                    answer.completeExceptionally(e);
                } catch (IOException e) {
                    answer.completeExceptionally(failed(path, e));
                }
            }

            @Override
            public void onFailure(Call call, IOException e) {
                answer.completeExceptionally(failed(path, e));
            }
        });
        return answer;
    }

    /** What {@link #getAsync} completed with; its failure as {@link #get} would have thrown it. */
    public static JsonNode await(CompletableFuture<JsonNode> answer) throws LxdException {
        return Futures.await(answer, LxdException.class, (message, cause) -> new LxdException(message, 0, cause),
                "waiting for LXD's answer");
    }

    /** The metadata of a sync answer, or the failure: LXD's error text, or what is wrong with the answer. */
    private JsonNode metadata(String path, Response response) throws IOException, LxdException {
        ResponseBody body = response.body();
        String text = body == null ? "" : body.string();
        JsonNode envelope = parse(text);
        if (!response.isSuccessful()) {
            throw refused(path, response.code(), envelope, text);
        }
        if (envelope == null || !envelope.isObject() || !"sync".equals(envelope.path("type").asText())) {
            throw new LxdException(answered(path, response.code()) + " with " + JsonText.abbreviate(envelope)
                    + ", expected a sync response object", response.code(), null);
        }
        JsonNode metadata = envelope.get("metadata");
        return metadata == null ? NullNode.getInstance() : metadata;
    }

    /**
     * GETs a listing ({@code path} "/1.0/instances?recursion=2") and hands each element of its metadata array to
     * {@code each} as it is read, one at a time, straight from the socket: a tree of a whole listing is several times
     * its JSON (100 instances, ~0.5 MB of it), one element's a few kB. Throws as {@link #get} does, and when the
     * metadata is not an array; elements handed over before a failure belong to an answer that failed.
     */
    public void getEach(String path, Consumer<JsonNode> each) throws LxdException {
        try (Response response = call(path)) {
            ResponseBody body = response.body();
            if (!response.isSuccessful() || body == null) {
                String text = body == null ? "" : body.string();
                throw refused(path, response.code(), parse(text), text);
            }
            Optional<String> wrong;
            try (JsonParser parser = json.createParser(body.byteStream())) {
                wrong = eachElement(parser, each);
            } catch (JsonProcessingException e) {
                throw new LxdException(answered(path, response.code()) + " with a body that is not JSON ("
                        + UntrustedText.escape(e.getOriginalMessage()) + "), expected a sync response object",
                        response.code(), e);
            }
            if (wrong.isPresent()) {
                throw new LxdException(answered(path, response.code()) + " with " + wrong.get(), response.code(), null);
            }
        } catch (IOException e) {
            throw failed(path, e);
        }
    }

    private Response call(String path) throws IOException {
        return http.newCall(request(path)).execute();
    }

    private static Request request(String path) {
        return new Request.Builder().url(UnixSocketHttp.BASE + path).get().build();
    }

    private String answered(String path, int code) {
        return "LXD at " + socket() + ": GET " + path + " answered HTTP " + code;
    }

    /** An answer that is not a 2xx: LXD's own error text where its envelope has one, else the body abbreviated. */
    private LxdException refused(String path, int code, JsonNode envelope, String text) {
        String error = envelope != null && envelope.path("error").isTextual()
                ? UntrustedText.escape(envelope.get("error").asText())
                : JsonText.abbreviate(json.getNodeFactory().textNode(text));
        return new LxdException(answered(path, code) + ": " + error, code, null);
    }

    private LxdException failed(String path, IOException e) {
        return new LxdException("LXD at " + socket() + ": GET " + path + " failed: " + describe(e), 0, e);
    }

    /**
     * Reads a sync answer from {@code parser}, handing each element of its metadata array to {@code each} as it
     * is parsed. Returns what is wrong with the answer's shape, if anything ("a response of type "async", expected
     * a sync response"); throws for JSON that does not parse. Pure but for {@code each}: the fuzz tests drive it.
     */
    static Optional<String> eachElement(JsonParser parser, Consumer<JsonNode> each) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return Optional.of(JsonText.abbreviate(parser.currentToken() == null ? NullNode.getInstance()
                    : parser.readValueAsTree()) + ", expected a sync response object");
        }
        JsonNode type = null;
        JsonNode metadata = null;
        boolean listed = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("metadata".equals(field)) {
                if (listed || metadata != null) {
                    return Optional.of("metadata twice, expected one array");
                }
                if (value == JsonToken.START_ARRAY) {
                    listed = true;
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        each.accept(parser.readValueAsTree());
                    }
                } else {
                    metadata = parser.readValueAsTree();
                }
            } else if ("type".equals(field)) {
                type = parser.readValueAsTree();
            } else {
                parser.skipChildren();
            }
        }
        if (type == null || !type.isTextual() || !"sync".equals(type.asText())) {
            return Optional.of("a response of type " + (type == null ? "(none)" : type.isTextual()
                    ? UntrustedText.escape(type.asText()) : JsonText.abbreviate(type)) + ", expected a sync response");
        }
        if (!listed) {
            return Optional.of("metadata " + (metadata == null ? "(none)" : JsonText.abbreviate(metadata))
                    + ", expected an array");
        }
        return Optional.empty();
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
