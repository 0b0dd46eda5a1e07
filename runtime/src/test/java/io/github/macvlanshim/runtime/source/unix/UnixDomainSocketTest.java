package io.github.macvlanshim.runtime.source.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import okhttp3.Request;
import okhttp3.Response;

/**
 * The socket OkHttp talks over, against a real unix socket served by the JDK in a temporary directory: what OkHttp
 * relies on a {@code java.net.Socket} for (timeouts, close from another thread, end of stream, connection reuse).
 */
class UnixDomainSocketTest {

    @TempDir
    Path dir;

    private Path path;
    private ServerSocketChannel server;
    private final List<SocketChannel> accepted = new CopyOnWriteArrayList<>();

    @BeforeEach
    void listen() throws IOException {
        path = dir.resolve("daemon.socket");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        for (SocketChannel channel : accepted) {
            channel.close();
        }
    }

    private SocketChannel accept() throws IOException {
        SocketChannel channel = server.accept();
        accepted.add(channel);
        return channel;
    }

    private UnixDomainSocket connected() throws IOException {
        UnixDomainSocket socket = new UnixDomainSocket(path);
        socket.connect(null, 1_000);
        return socket;
    }

    @Test
    void bytesGoBothWaysAndTheEndOfTheStreamIsMinusOne() throws IOException {
        try (UnixDomainSocket socket = connected()) {
            SocketChannel peer = accept();
            socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer got = ByteBuffer.allocate(4);
            while (got.hasRemaining()) {
                peer.read(got);
            }
            assertThat(new String(got.array(), StandardCharsets.US_ASCII)).isEqualTo("ping");

            peer.write(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
            peer.close();
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("pong");
            assertThat(in.read()).isEqualTo(-1);
            assertThat(socket.isConnected()).isTrue();
            assertThat(socket.isClosed()).isFalse();
        }
    }

    @Test
    void aMissingSocketIsAnIOExceptionNamingThePath() throws IOException {
        Path absent = dir.resolve("absent.socket");
        UnixDomainSocket socket = new UnixDomainSocket(absent);
        assertThatThrownBy(() -> socket.connect(null, 1_000)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot connect to " + absent + ": ");
        assertThat(socket.isClosed()).as("closed after a failed connect").isTrue();
    }

    @Test
    void aSocketFileNobodyListensOnIsRefused() throws IOException {
        server.close();
        assertThat(path).exists();
        UnixDomainSocket socket = new UnixDomainSocket(path);
        assertThatThrownBy(() -> socket.connect(null, 1_000)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot connect to " + path + ": ").hasMessageContaining("refused");
    }

    @Test
    void aReadTimesOutAfterSoTimeoutAndTheSocketStaysUsable() throws IOException {
        try (UnixDomainSocket socket = connected()) {
            SocketChannel peer = accept();
            socket.setSoTimeout(100);
            long started = System.nanoTime();
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(100);
            assertThat(socket.isClosed()).isFalse();

            peer.write(ByteBuffer.wrap(new byte[] {42}));
            assertThat(socket.getInputStream().read()).as("the byte that came after the timeout").isEqualTo(42);
        }
    }

    @Test
    void closeFromAnotherThreadEndsAReadThatWaitsWithoutATimeout() throws Exception {
        UnixDomainSocket socket = connected();
        accept();
        CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
            try {
                socket.getInputStream().read();
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        Thread.sleep(100);
        assertThat(reader).as("still reading").isNotDone();

        socket.close();

        assertThat(reader.get(5, TimeUnit.SECONDS)).isInstanceOf(SocketException.class);
        assertThat(socket.isClosed()).isTrue();
        assertThatThrownBy(() -> socket.getOutputStream()).isInstanceOf(SocketException.class);
    }

    @Test
    void aLargeWriteWaitsForThePeerToReadInsteadOfFailing() throws Exception {
        byte[] large = new byte[4 * 1024 * 1024];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) i;
        }
        try (UnixDomainSocket socket = connected()) {
            SocketChannel peer = accept();
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                ByteBuffer all = ByteBuffer.allocate(large.length);
                try {
                    while (all.hasRemaining() && peer.read(all) >= 0) {
                        // reads until everything came
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return all.array();
            });
            OutputStream out = socket.getOutputStream();
            out.write(large);
            assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(large);
        }
    }

    /** OkHttp end to end: two GETs over one connection, each answered by a minimal HTTP/1.1 responder. */
    @Test
    void okHttpGetsTheAnswerAndReusesTheConnection() throws Exception {
        CompletableFuture<Integer> connections = CompletableFuture.supplyAsync(() -> {
            try {
                SocketChannel peer = accept();
                List<String> requests = new ArrayList<>();
                ByteBuffer buffer = ByteBuffer.allocate(8192);
                StringBuilder text = new StringBuilder();
                while (requests.size() < 2 && peer.read(buffer) >= 0) {
                    buffer.flip();
                    text.append(StandardCharsets.US_ASCII.decode(buffer));
                    buffer.clear();
                    int end;
                    while ((end = text.indexOf("\r\n\r\n")) >= 0) {
                        String request = text.substring(0, end);
                        text.delete(0, end + 4);
                        requests.add(request);
                        String body = "answer " + requests.size();
                        peer.write(ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n"
                                + body).getBytes(StandardCharsets.US_ASCII)));
                    }
                }
                return accepted.size();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try (UnixSocketHttp http = new UnixSocketHttp(path, "test-http")) {
            for (int i = 1; i <= 2; i++) {
                Request request = new Request.Builder().url(UnixSocketHttp.BASE + "/1.0").build();
                try (Response response = http.client().newCall(request).execute()) {
                    assertThat(response.code()).isEqualTo(200);
                    assertThat(response.body().string()).isEqualTo("answer " + i);
                }
            }
        }
        assertThat(connections.get(10, TimeUnit.SECONDS)).as("connections accepted").isEqualTo(1);
        assertThat(Files.exists(path)).isTrue();
    }
}
