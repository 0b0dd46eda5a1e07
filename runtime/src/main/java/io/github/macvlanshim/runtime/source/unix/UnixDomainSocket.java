package io.github.macvlanshim.runtime.source.unix;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@code java.net.Socket} over the JDK's own unix-domain {@link SocketChannel}: OkHttp speaks HTTP over a
 * {@code Socket}, and the JDK offers unix sockets only as channels. It connects to {@code path} whatever address it
 * is asked to connect to (OkHttp always passes a TCP one).
 *
 * <p>The channel is non-blocking, so {@link #setSoTimeout} works as on a TCP socket: a read waits at most that long
 * for bytes, then throws {@link SocketTimeoutException} and the socket stays usable (OkHttp's health check of a
 * pooled connection relies on that). Reads and writes wait on separate selectors, so the WebSocket's writer never
 * waits for its reader. {@link #close} from any thread ends a read or write that is waiting.
 */
final class UnixDomainSocket extends Socket {

    private final Path path;
    private final SocketChannel channel;
    private final Selector readable;
    private final Selector writable;
    private final InputStream in = new In();
    private final OutputStream out = new Out();
    private volatile int soTimeout;
    /** Not the channel's: a {@code Socket} stays connected once closed, a channel does not. */
    private volatile boolean connected;
    private volatile boolean inputShut;
    private volatile boolean outputShut;

    UnixDomainSocket(Path path) throws IOException {
        this.path = path;
        this.channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.configureBlocking(false);
            this.readable = Selector.open();
            this.writable = Selector.open();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void connect(SocketAddress ignored) throws IOException {
        connect(ignored, 0);
    }

    /** Connects to the socket file; {@code timeout} (ms, 0: none) bounds a connect the daemon's backlog holds up. */
    @Override
    public void connect(SocketAddress ignored, int timeout) throws IOException {
        try {
            if (!channel.connect(UnixDomainSocketAddress.of(path))) {
                try (Selector connectable = Selector.open()) {
                    channel.register(connectable, SelectionKey.OP_CONNECT);
                    connectable.select(timeout);
                }
                if (!channel.finishConnect()) {
                    throw new SocketTimeoutException("connect timed out after " + timeout + " ms");
                }
            }
            channel.register(readable, SelectionKey.OP_READ);
            channel.register(writable, SelectionKey.OP_WRITE);
            connected = true;
        } catch (IOException e) {
            close();
            throw new IOException("cannot connect to " + path + ": " + UnixSocketHttp.describe(e), e);
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        open();
        return in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        open();
        return out;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout " + timeout + " ms is negative");
        }
        soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() {
        return soTimeout;
    }

    @Override
    public void shutdownInput() throws IOException {
        open();
        channel.shutdownInput();
        inputShut = true;
    }

    @Override
    public void shutdownOutput() throws IOException {
        open();
        channel.shutdownOutput();
        outputShut = true;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public boolean isBound() {
        return connected;
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public boolean isInputShutdown() {
        return inputShut;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShut;
    }

    /** Closing a selector wakes a thread waiting on it, which then finds the socket closed. */
    @Override
    public void close() throws IOException {
        try {
            readable.close();
            writable.close();
        } finally {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "UnixDomainSocket[" + path + (isClosed() ? ", closed" : connected ? ", connected" : "") + "]";
    }

    private void open() throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!connected) {
            throw new SocketException("Socket is not connected");
        }
    }

    /** Bytes read into {@code buffer}, or -1 at the end of the stream; waits at most the socket's timeout. */
    private int read(ByteBuffer buffer) throws IOException {
        long timeout = soTimeout;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        while (true) {
            open();
            int count = closedAsSocketException(() -> channel.read(buffer));
            if (count != 0 || !buffer.hasRemaining()) {
                return count;
            }
            long wait = 0;
            if (timeout > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("Read timed out after " + timeout + " ms");
                }
                // Rounded up: a select may return early, and a truncated wait would give up before the timeout.
                wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
            }
            await(readable, wait);
        }
    }

    private void write(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            open();
            if (closedAsSocketException(() -> channel.write(buffer)) == 0) {
                // No timeout of its own, as on a TCP socket: OkHttp's write timeout closes the socket.
                await(writable, 0);
            }
        }
    }

    /** Waits until the selector's one channel is ready, {@code millis} passed (0: no limit) or the socket closed. */
    private void await(Selector selector, long millis) throws IOException {
        try {
            selector.select(millis);
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new SocketException("Socket closed");
        }
    }

    private interface ChannelCall {
        int call() throws IOException;
    }

    private int closedAsSocketException(ChannelCall call) throws IOException {
        try {
            return call.call();
        } catch (ClosedChannelException e) {
            SocketException closedNow = new SocketException("Socket closed");
            closedNow.initCause(e);
            throw closedNow;
        }
    }

    private final class In extends InputStream {

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int count = read(one, 0, 1);
            return count == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            return length == 0 ? 0 : UnixDomainSocket.this.read(ByteBuffer.wrap(bytes, offset, length));
        }

        @Override
        public void close() throws IOException {
            UnixDomainSocket.this.close();
        }
    }

    private final class Out extends OutputStream {

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            UnixDomainSocket.this.write(ByteBuffer.wrap(bytes, offset, length));
        }

        @Override
        public void close() throws IOException {
            UnixDomainSocket.this.close();
        }
    }
}
