package io.github.macvlanshim.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One HTTP/1.0 GET over a unix socket with the JDK's own channels: how the lab asks a Docker engine or a Podman
 * service whether it is up, and captures what its API answers, with no client library and no curl.
 */
public final class UnixHttp {

    /** A status and a body. */
    public record Answer(int status, String body) {
    }

    private UnixHttp() {
    }

    /** GETs {@code path}; HTTP/1.0, so the server sends the body whole (never chunked) and closes. */
    public static Answer get(Path socket, String path) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                bytes.write(buffer.array(), 0, buffer.limit());
                buffer.clear();
            }
            String text = bytes.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/") || end < 0) {
                throw new IOException("GET " + path + " on " + socket + ": not an HTTP answer: "
                        + text.substring(0, Math.min(80, text.length())));
            }
            int status = Integer.parseInt(text.substring(text.indexOf(' ') + 1, text.indexOf(' ') + 4));
            return new Answer(status, text.substring(end + 4));
        }
    }

    /** The body of GET {@code path}; throws unless it answered 200. */
    public static String body(Path socket, String path) {
        try {
            Answer answer = get(socket, path);
            if (answer.status() != 200) {
                throw new IllegalStateException("GET " + path + " on " + socket + " answered " + answer.status() + ": "
                        + answer.body().strip());
            }
            return answer.body();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " on " + socket, e);
        }
    }

    /** Whether GET {@code path} answers 200 now. */
    public static boolean answers(Path socket, String path) {
        try {
            return get(socket, path).status() == 200;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
