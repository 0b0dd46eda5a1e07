package io.github.macvlanshim.runtime.source.lxd;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A unix socket in front of another, passing bytes both ways, that can cut every connection through it at once:
 * what a proxy or a socket listener that drops the WebSocket does, while the daemon behind it lives on.
 */
final class UnixSocketProxy implements AutoCloseable {

    private final Path front;
    private final Path back;
    private final ServerSocketChannel server;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
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

    static UnixSocketProxy start(Path front, Path back) {
        try {
            return new UnixSocketProxy(front, back);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + front, e);
        }
    }

    Path socket() {
        return front;
    }

    /** How many connections came through so far. */
    int connections() {
        return accepted.get();
    }

    /** Closes every connection open now; new ones are accepted as before. */
    void cutAll() {
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
                pump(client, daemon);
                pump(daemon, client);
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread thread = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(16384);
            try {
                while (from.read(buffer) >= 0) {
                    buffer.flip();
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
