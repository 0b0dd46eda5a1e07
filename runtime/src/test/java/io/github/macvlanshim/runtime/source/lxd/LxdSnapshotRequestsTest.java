package io.github.macvlanshim.runtime.source.lxd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.macvlanshim.runtime.source.Endpoint;

/**
 * Which requests a snapshot makes, and when, against a socket that answers with the answers captured from LXD 5.0.2
 * (an HTTP/1.1 server of a few lines: what is tested is the order of the source's requests, not the daemon).
 */
class LxdSnapshotRequestsTest {

    @TempDir
    Path dir;

    private ServerSocketChannel server;
    private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final CountDownLatch networksAsked = new CountDownLatch(1);
    private final AtomicBoolean serverAnsweredAfterNetworksAsked = new AtomicBoolean();

    @BeforeEach
    void listen() throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(dir.resolve("lxd.socket")));
        Thread acceptor = new Thread(this::accept, "fake-lxd-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        for (SocketChannel connection : connections) {
            connection.close();
        }
    }

    @Test
    void theServerAndItsNetworksAreAskedForTogetherThenTheListing() throws Exception {
        LxdInstanceSource source = LxdInstanceSource.at(dir.resolve("lxd.socket"));
        List<Endpoint> endpoints;
        try {
            endpoints = source.snapshot();
        } finally {
            source.close();
        }

        assertThat(serverAnsweredAfterNetworksAsked).as("GET /1.0/networks was under way before /1.0 was answered")
                .isTrue();
        assertThat(asked).hasSize(3);
        assertThat(asked.subList(0, 2)).containsExactlyInAnyOrder("/1.0", LxdEndpoints.NETWORKS_PATH);
        assertThat(asked.get(2)).startsWith("/1.0/instances?recursion=2");
        assertThat(endpoints).isNotEmpty();
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel connection = server.accept();
                connections.add(connection);
                Thread serving = new Thread(() -> serve(connection), "fake-lxd-connection");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One connection: requests one after another (OkHttp keeps connections alive), each answered in full. */
    private void serve(SocketChannel connection) {
        try (connection) {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(connection),
                    StandardCharsets.ISO_8859_1));
            OutputStream out = Channels.newOutputStream(connection);
            String requestLine;
            while ((requestLine = in.readLine()) != null) {
                String header;
                while ((header = in.readLine()) != null && !header.isEmpty()) {
                    // A GET has no body: the headers end the request.
                }
                String path = requestLine.split(" ")[1];
                asked.add(path);
                byte[] body = answer(path).getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // The test is over, or the client went away.
        }
    }

    private String answer(String path) throws InterruptedException {
        if (path.startsWith("/1.0/networks")) {
            networksAsked.countDown();
            return Fixtures.text("networks.json");
        }
        if (path.startsWith("/1.0/instances")) {
            return Fixtures.text("instances-recursion2.json");
        }
        // The server's answer waits (up to a few seconds) for the networks to be asked: a source that asks for
        // them only after this answer is slow here, and the flag says so.
        serverAnsweredAfterNetworksAsked.set(networksAsked.await(3, TimeUnit.SECONDS));
        return Fixtures.text("server.json");
    }
}
