package io.github.macvlanshim.runtime.source.docker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.macvlanshim.runtime.net.UntrustedText;
import io.github.macvlanshim.runtime.source.JsonText;
import io.github.macvlanshim.runtime.source.unix.SocketLookup;
import io.github.macvlanshim.runtime.source.unix.UnixSocketHttp;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * The Docker Engine API (or Podman's Docker-compatible service) on its unix socket. Paths are unversioned: the
 * engine answers in its own current API version, whose fields read here have stayed the same since API 1.21,
 * while pinning a version would stop working once an engine drops it (Docker 29 refuses versions below 1.44).
 */
public final class DockerClient implements SocketLookup.Client {

    /**
     * An event stream carries nothing while nothing happens; after this long silent it is reopened (with a resync),
     * which costs one listing, and a connection that died without a word is not trusted for ever.
     */
    public static final Duration EVENTS_IDLE = Duration.ofMinutes(10);
    /** Answers are a few KB per container; one far beyond that is not a listing to trust. */
    static final long MAX_BODY = 64L * 1024 * 1024;

    private final UnixSocketHttp transport;
    private final OkHttpClient events;
    private final ObjectMapper json = new ObjectMapper();

    public DockerClient(Path socket) {
        this.transport = new UnixSocketHttp(socket, "macvlan-shim-docker-http");
        this.events = transport.streaming(EVENTS_IDLE);
    }

    @Override
    public Path socket() {
        return transport.socket();
    }

    /** GETs {@code path} and returns its JSON; throws naming the path, the HTTP status and the engine's message. */
    public JsonNode get(String path) throws DockerException {
        Request request = new Request.Builder().url(UnixSocketHttp.BASE + path).get().build();
        try (Response response = transport.client().newCall(request).execute()) {
            ResponseBody body = response.body();
            if (body != null && body.contentLength() > MAX_BODY) {
                throw new DockerException(where() + "GET " + path + " answered " + body.contentLength()
                        + " bytes, expected at most " + MAX_BODY, response.code(), null);
            }
            String text = body == null ? "" : body.string();
            JsonNode answer = parse(text);
            if (!response.isSuccessful()) {
                String message = answer != null && answer.path("message").isTextual()
                        ? UntrustedText.escape(answer.get("message").asText())
                        : JsonText.abbreviate(json.getNodeFactory().textNode(text));
                throw new DockerException(where() + "GET " + path + " answered HTTP " + response.code() + ": "
                        + message, response.code(), null);
            }
            if (answer == null) {
                throw new DockerException(where() + "GET " + path + " answered HTTP " + response.code() + " with "
                        + JsonText.abbreviate(json.getNodeFactory().textNode(text)) + ", expected JSON",
                        response.code(), null);
            }
            return answer;
        } catch (IOException e) {
            throw new DockerException(where() + "GET " + path + " failed: " + UnixSocketHttp.describe(e), 0, e);
        }
    }

    /**
     * Opens the event stream at {@code path} and hands each line to {@code lines} until the stream ends or fails;
     * {@code opened} runs once the engine has answered 200. {@link Call#cancel()} on the call given to
     * {@code started} ends it from another thread.
     */
    public void events(String path, Consumer<Call> started, Runnable opened, Consumer<String> lines)
            throws DockerException {
        Call call = events.newCall(new Request.Builder().url(UnixSocketHttp.BASE + path).get().build());
        started.accept(call);
        try (Response response = call.execute()) {
            if (!response.isSuccessful()) {
                throw new DockerException(where() + "GET /events answered HTTP " + response.code(), response.code(),
                        null);
            }
            opened.run();
            ResponseBody body = response.body();
            if (body == null) {
                return;
            }
            BufferedSource source = body.source();
            // A line longer than this is no event: reading it whole would let a broken engine fill the heap.
            long maxLine = 1024 * 1024;
            for (String line; (line = source.readUtf8LineStrict(maxLine)) != null;) {
                if (!line.isBlank()) {
                    lines.accept(line);
                }
            }
        } catch (java.io.EOFException e) {
            // The engine closed the stream (it stopped, or restarts).
        } catch (IOException e) {
            throw new DockerException(where() + "event stream: " + UnixSocketHttp.describe(e), 0, e);
        }
    }

    /** Stops the client's threads and drops its connections; a running event stream should be cancelled first. */
    @Override
    public void close() {
        transport.close();
    }

    private String where() {
        return "engine at " + socket() + ": ";
    }

    private JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
