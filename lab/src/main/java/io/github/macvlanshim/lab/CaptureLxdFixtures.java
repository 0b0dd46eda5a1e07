package io.github.macvlanshim.lab;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Captures what a real LXD daemon answers, for parsing tests: sets up one lab host with a known mix of
 * instances (see the fixture folder's README.md) and writes the raw JSON of a few API calls into the folder
 * given as the only argument. Run as root:
 * {@code java -cp lab/target/classes io.github.macvlanshim.lab.CaptureLxdFixtures runtime/src/test/resources/lxd-json}
 */
public final class CaptureLxdFixtures {

    private CaptureLxdFixtures() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        LabDir.sweepStale();
        Lab.sweepStale();
        try (Lab lab = Lab.create(); LxdDaemon lxd = LxdDaemon.start(lab.hostNetns())) {
            String host = lab.hostNetns();
            // A second host interface that no shim serves: a veth whose peer stays in the host, going nowhere.
            lab.ip(host, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1peer");
            lab.ip(host, "link", "set", "eth1", "up");
            lab.ip(host, "link", "set", "eth1peer", "up");

            write(out, "server.json", lxd.query("/1.0"));
            lxd.lxc("network", "create", "macnet", "--type=macvlan", "parent=eth0");
            write(out, "networks.json", lxd.query("/1.0/networks?recursion=1"));

            Path events = out.resolve("events.jsonl");
            ProcessBuilder monitor = new ProcessBuilder("lxc", "monitor", "--type=lifecycle", "--format=json", "--all-projects")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(events.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            monitor.environment().putAll(lxd.env());
            Process monitoring = monitor.start();
            try {
                Thread.sleep(500);
                lxd.launch("c1");
                lxd.setAddress("c1", "198.51.100.201/24", "2001:db8:100::201/64");

                lxd.lxc("init", LxdDaemon.IMAGE, "c2", "--profile", "default", "--profile", LxdDaemon.MACVLAN_PROFILE);
                lxd.lxc("config", "device", "add", "c2", "eth1", "nic", "nictype=macvlan", "parent=eth0", "name=eth1");
                lxd.startInstance("c2");
                lxd.setAddress("c2", "eth0", "198.51.100.202/24", "2001:db8:100::202/64");
                lxd.setAddress("c2", "eth1", "198.51.100.203/24", "2001:db8:100::203/64");

                lxd.lxc("project", "create", "p2", "-c", "features.profiles=false", "-c", "features.images=false");
                lxd.launch("c3", "--project", "p2");
                lxd.lxc("exec", "--project", "p2", "c3", "--", "ip", "address", "add", "198.51.100.204/24", "dev", "eth0");
                lxd.lxc("exec", "--project", "p2", "c3", "--", "ip", "-6", "address", "add", "2001:db8:100::204/64", "dev", "eth0");

                lxd.launch("s1");
                lxd.stopInstance("s1");

                lxd.lxc("init", LxdDaemon.IMAGE, "o1", "--profile", "default");
                lxd.lxc("config", "device", "add", "o1", "eth0", "nic", "nictype=macvlan", "parent=eth1");
                lxd.startInstance("o1");
                lxd.setAddress("o1", "192.0.2.10/24", "2001:db8:192::10/64");

                lxd.lxc("init", LxdDaemon.IMAGE, "n1", "--profile", "default");
                lxd.lxc("config", "device", "add", "n1", "eth0", "nic", "network=macnet");
                lxd.startInstance("n1");
                lxd.setAddress("n1", "198.51.100.205/24", "2001:db8:100::205/64");

                lxd.launch("e1");
                lxd.deleteInstance("e1", true);
                Thread.sleep(500);
            } finally {
                monitoring.destroy();
                monitoring.waitFor();
            }
            // lxc monitor separates its one-line objects with blank lines; the fixture is one object per line.
            Files.write(events, Files.readAllLines(events, StandardCharsets.UTF_8).stream().filter(line -> !line.isBlank()).toList(),
                    StandardCharsets.UTF_8);
            write(out, "instances-recursion2-all-projects.json", lxd.query("/1.0/instances?recursion=2&all-projects=true"));
            write(out, "instances-recursion1-all-projects.json", lxd.query("/1.0/instances?recursion=1&all-projects=true"));
            write(out, "instance-c1-state.json", lxd.query("/1.0/instances/c1/state"));
            write(out, "instance-s1-state.json", lxd.query("/1.0/instances/s1/state"));
            System.out.println("captured at " + Instant.now() + " into " + out);
        }
    }

    private static void write(Path dir, String name, String json) throws IOException {
        Files.writeString(dir.resolve(name), json.endsWith("\n") ? json : json + "\n", StandardCharsets.UTF_8);
    }
}
