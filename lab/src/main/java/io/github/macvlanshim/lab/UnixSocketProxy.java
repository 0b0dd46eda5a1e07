package io.github.macvlanshim.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A unix socket in front of another, passing bytes both ways, that can cut every connection through it at once
 * (what a proxy or a socket listener that drops a WebSocket does while the daemon behind it lives on) and counts
 * the HTTP requests that go through it, by path (how many requests an event costs a daemon).
 */
public final class UnixSocketProxy implements AutoCloseable {

    private final Path front;
    private final Path back;
    private final ServerSocketChannel server;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Queue<String> requests = new ConcurrentLinkedQueue<>();
    private final Thread acceptor;

    private UnixSocketProxy(Path front, Path back) throws IOException {
        this.front = front;
        this.back = back;
        Files.deleteIfExists(front);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(front));
        this.acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static UnixSocketProxy start(Path front, Path back) {
        try {
            return new UnixSocketProxy(front, back);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + front, e);
        }
    }

    public Path socket() {
        return front;
    }

    /** How many connections came through so far. */
    public int connections() {
        return accepted.get();
    }

    /** The paths of the requests made so far ("/1.0/instances?recursion=2&all-projects=true"), in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** Closes every connection open now; new ones are accepted as before. */
    public void cutAll() {
        for (SocketChannel channel : open) {
            closeQuietly(channel);
        }
        open.clear();
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                SocketChannel daemon = SocketChannel.open(UnixDomainSocketAddress.of(back));
                open.add(client);
                open.add(daemon);
                accepted.incrementAndGet();
                pump(client, daemon, new RequestLines());
                pump(daemon, client, null);
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to, RequestLines lines) {
        Thread thread = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(16384);
            try {
                while (from.read(buffer) >= 0) {
                    buffer.flip();
                    if (lines != null) {
                        for (int i = buffer.position(); i < buffer.limit(); i++) {
                            lines.accept(buffer.get(i));
                        }
                    }
                    while (buffer.hasRemaining()) {
                        to.write(buffer);
                    }
                    buffer.clear();
                }
            } catch (IOException e) {
                // Cut, or the other side went away.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Finds "GET PATH " at the start of a line of what a client sends: requests have no body here, and no header
     * line starts with a method, so each such line is one request.
     */
    private final class RequestLines {
        private final StringBuilder line = new StringBuilder();
        private boolean lineStart = true;
        private boolean collecting;

        void accept(byte b) {
            char c = (char) (b & 0xff);
            if (c == '\n') {
                lineStart = true;
                collecting = false;
                line.setLength(0);
                return;
            }
            if (lineStart || collecting) {
                line.append(c);
                lineStart = false;
                collecting = line.length() < 4 ? "GET ".startsWith(line.toString()) : true;
                if (line.length() > 4 && c == ' ') {
                    requests.add(line.substring(4, line.length() - 1));
                    collecting = false;
                } else if (line.length() > 4096) {
                    collecting = false;
                }
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        cutAll();
        try {
            Files.deleteIfExists(front);
        } catch (IOException e) {
            // The lab directory goes anyway.
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // Already closed.
        }
    }
}
