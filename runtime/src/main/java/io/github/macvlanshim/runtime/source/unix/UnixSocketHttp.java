package io.github.macvlanshim.runtime.source.unix;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.SocketFactory;

import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * An OkHttp client whose every connection is one unix socket, whatever host the URL names: what the LXD/Incus and
 * Docker/Podman sources talk HTTP over. OkHttp needs a {@code java.net.Socket}; {@link UnixDomainSocket} is one over
 * the JDK's own unix-domain channel, so no native library is involved, on the JVM or in the native executable. Every
 * call is bounded by timeouts, so none can hang the reconciler; a stream that stays open (an event stream) gets a
 * client of its own from {@link #streaming}.
 */
public final class UnixSocketHttp implements AutoCloseable {

    /** The URL host is a placeholder: every connection goes to the socket. */
    public static final String BASE = "http://localhost";
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private final Path socket;
    private final ExecutorService dispatcher;
    private final OkHttpClient http;

    /** @param threads the prefix of the client's thread names ("macvlan-shim-lxd-http") */
    public UnixSocketHttp(Path socket, String threads) {
        this.socket = socket;
        AtomicInteger count = new AtomicInteger();
        // OkHttp's own default, with named daemon threads that close() can stop.
        this.dispatcher = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                task -> {
                    Thread thread = new Thread(task, threads + "-" + count.incrementAndGet());
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
                .retryOnConnectionFailure(true)
                .build();
    }

    public Path socket() {
        return socket;
    }

    /** The client for ordinary calls: connect, read and whole-call timeouts. */
    public OkHttpClient client() {
        return http;
    }

    /**
     * A client for a response that streams for as long as the daemon runs: no whole-call timeout, and
     * {@code readTimeout} of silence before it gives up (zero: never). Shares the connections and threads.
     */
    public OkHttpClient streaming(Duration readTimeout) {
        return http.newBuilder().callTimeout(Duration.ZERO).readTimeout(readTimeout).build();
    }

    /** Stops the client's threads and drops its connections; open streams should be cancelled first. */
    @Override
    public void close() {
        dispatcher.shutdownNow();
        http.connectionPool().evictAll();
    }

    /** An exception's class and message; some I/O exceptions carry no message of their own. */
    public static String describe(Throwable e) {
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
            return new UnixDomainSocket(path);
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
}
