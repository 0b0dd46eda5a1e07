package io.github.macvlanshim.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URLEncoder;

/**
 * Captures what a real Docker engine and a real Podman service answer, for parsing tests: sets up one lab host with
 * a known mix of networks and containers on both (see the fixture folder's README.md) and writes the raw JSON of the
 * API calls the source makes into the folder given as the only argument. Run as root:
 * {@code java -cp lab/target/classes io.github.macvlanshim.lab.CaptureDockerFixtures runtime/src/test/resources/docker-json}
 */
public final class CaptureDockerFixtures {

    static final String EVENT_FILTER = "{\"type\":[\"container\",\"network\"],\"event\":[\"start\",\"die\",\"died\","
            + "\"destroy\",\"remove\",\"rename\",\"connect\",\"disconnect\"]}";

    private CaptureDockerFixtures() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out.resolve("podman"));
        LabDir.sweepStale();
        Lab.sweepStale();
        try (Lab lab = Lab.create()) {
            String host = lab.hostNetns();
            // Parents besides eth0, each a veth whose peer stays in the host: Docker allows one macvlan network per
            // parent. eth0.20 stands for the 802.1q sub-interface Docker would make (this kernel has no 802.1q).
            for (String parent : new String[] {"eth0.20", "eth1", "eth2", "eth3", "eth4"}) {
                lab.ip(host, "link", "add", parent, "type", "veth", "peer", "name", parent.replace("eth", "p"));
                lab.ip(host, "link", "set", parent, "up");
            }
            try (DockerDaemon docker = DockerDaemon.start(host)) {
                captureDocker(docker, out);
            }
            try (PodmanService podman = PodmanService.start(host)) {
                capturePodman(podman, out.resolve("podman"));
            }
        }
    }

    private static void captureDocker(DockerDaemon docker, Path out) throws Exception {
        write(out, "version.json", docker.query("/version"));
        try (EventCapture events = EventCapture.start(docker.socket(), out.resolve("events.jsonl"))) {
            docker.docker("network", "create", "-d", "macvlan", "--subnet", "198.51.100.0/24", "--gateway", "198.51.100.1",
                    "--ip-range", "198.51.100.160/28", "--ipv6", "--subnet", "2001:db8:100::/64", "--gateway",
                    "2001:db8:100::1", "-o", "parent=eth0", "mac0");
            docker.docker("network", "create", "-d", "macvlan", "--subnet", "192.0.2.0/26", "-o", "parent=eth0.20", "mac20");
            docker.docker("network", "create", "-d", "macvlan", "--subnet", "203.0.113.0/25", "-o", "parent=eth1", "other1");
            docker.docker("network", "create", "-d", "macvlan", "--subnet", "192.0.2.64/26", "-o", "parent=eth2", "-o",
                    "macvlan_mode=private", "priv2");
            docker.docker("network", "create", "--config-only", "--subnet", "192.0.2.128/26", "-o", "parent=eth3", "cfg3");
            docker.docker("network", "create", "-d", "macvlan", "--config-from", "cfg3", "fromcfg3");
            docker.docker("swarm", "init", "--advertise-addr", Lab.HOST_IPV4, "--listen-addr", Lab.HOST_IPV4 + ":2377",
                    "--default-addr-pool", "203.0.113.128/25", "--default-addr-pool-mask-length", "26");
            docker.docker("network", "create", "--config-only", "--subnet", "192.0.2.192/26", "-o", "parent=eth4", "swcfg");
            docker.docker("network", "create", "-d", "macvlan", "--scope", "swarm", "--attachable", "--config-from",
                    "swcfg", "swnet");

            docker.run("d1", "--network", "mac0", "--ip", "198.51.100.101", "--ip6", "2001:db8:100::101");
            docker.run("d2", "--network", "mac0");
            docker.run("d3", "--network", "mac20", "--ip", "192.0.2.10");
            docker.run("o1", "--network", "other1", "--ip", "203.0.113.10");
            docker.run("p1", "--network", "priv2", "--ip", "192.0.2.70");
            docker.run("f1", "--network", "fromcfg3", "--ip", "192.0.2.130");
            docker.run("s1", "--network", "swnet", "--ip", "192.0.2.194");
            docker.run("m1", "--network", "mac0", "--ip", "198.51.100.102");
            docker.docker("network", "connect", "--ip", "203.0.113.11", "other1", "m1");
            docker.run("x1", "--network", "mac0", "--ip", "198.51.100.103");
            docker.docker("stop", "-t", "0", "x1");
            docker.run("e1", "--network", "mac0", "--ip", "198.51.100.104");
            docker.docker("network", "disconnect", "mac0", "e1");
            docker.docker("rename", "e1", "e2");
            docker.docker("rm", "-f", "e2");
            write(out, "networks.json", docker.query("/networks"));
            write(out, "containers.json", docker.query("/containers/json"));
            write(out, "container-d1.json", docker.query("/containers/d1/json"));
            write(out, "container-m1.json", docker.query("/containers/m1/json"));
            write(out, "container-x1-stopped.json", docker.query("/containers/x1/json"));
            Thread.sleep(500);
        }
        docker.docker("swarm", "leave", "--force");
    }

    private static void capturePodman(PodmanService podman, Path out) throws Exception {
        write(out, "version.json", podman.query("/version"));
        try (EventCapture events = EventCapture.start(podman.socket(), out.resolve("events.jsonl"))) {
            podman.podman("network", "create", "-d", "macvlan", "--subnet", "198.51.100.0/24", "--gateway",
                    "198.51.100.1", "--ip-range", "198.51.100.176/28", "--ipv6", "--subnet", "2001:db8:100::/64",
                    "--gateway", "2001:db8:100::1", "-o", "parent=eth0", "pmac0");
            podman.podman("network", "create", "-d", "macvlan", "--subnet", "192.0.2.64/26", "-o", "parent=eth2", "-o",
                    "mode=private", "ppriv2");
            podman.run("q1", "--network", "pmac0", "--ip", "198.51.100.121", "--ip6", "2001:db8:100::121");
            podman.run("q2", "--network", "pmac0");
            podman.run("q3", "--network", "ppriv2", "--ip", "192.0.2.71");
            podman.run("x2", "--network", "pmac0", "--ip", "198.51.100.122");
            podman.stop("x2");
            podman.podman("network", "connect", "ppriv2", "q2");
            podman.podman("network", "disconnect", "ppriv2", "q2");
            podman.run("e3", "--network", "pmac0", "--ip", "198.51.100.123");
            podman.remove("e3");
            write(out, "networks-compat.json", podman.query("/networks"));
            write(out, "networks-libpod.json", podman.query("/v4.0.0/libpod/networks/json"));
            write(out, "containers.json", podman.query("/containers/json"));
            write(out, "container-q1.json", podman.query("/containers/q1/json"));
            write(out, "container-x2-stopped.json", podman.query("/containers/x2/json"));
            Thread.sleep(500);
        }
    }

    private static void write(Path out, String name, String json) throws IOException {
        Files.writeString(out.resolve(name), json.strip() + "\n", StandardCharsets.UTF_8);
    }

    /** GET /events with the source's filter, one JSON object per line into a file, until closed. */
    private static final class EventCapture implements AutoCloseable {

        private final SocketChannel channel;
        private final Thread reader;

        private EventCapture(SocketChannel channel, Thread reader) {
            this.channel = channel;
            this.reader = reader;
        }

        static EventCapture start(Path socket, Path file) throws IOException, InterruptedException {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            String path = "/events?filters=" + URLEncoder.encode(EVENT_FILTER, StandardCharsets.UTF_8);
            channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            Thread reader = new Thread(() -> {
                StringBuilder text = new StringBuilder();
                ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
                try {
                    while (channel.read(buffer) >= 0) {
                        buffer.flip();
                        text.append(StandardCharsets.UTF_8.decode(buffer));
                        buffer.clear();
                    }
                } catch (IOException closed) {
                    // Closed by close(): the capture is over.
                }
                String body = text.substring(Math.max(0, text.indexOf("\r\n\r\n") + 4));
                try (OutputStream output = Files.newOutputStream(file)) {
                    for (String line : body.split("\n")) {
                        if (!line.isBlank()) {
                            output.write((line.strip() + "\n").getBytes(StandardCharsets.UTF_8));
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "capture-events");
            reader.start();
            Thread.sleep(300);
            return new EventCapture(channel, reader);
        }

        @Override
        public void close() throws Exception {
            channel.close();
            reader.join(5_000);
        }
    }
}
