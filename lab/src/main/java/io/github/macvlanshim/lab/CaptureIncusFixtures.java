package io.github.macvlanshim.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Captures what a real Incus daemon answers, for parsing tests: one lab host with a bridge-mode container, NICs in
 * the modes a shim cannot reach, and NICs with a {@code vlan} key (on the NIC and on a managed macvlan network),
 * which stay stopped: this kernel has no 802.1q, so the daemon cannot make their VLAN interface. Writes the raw
 * JSON of a few API calls into the folder given as the only argument. Run as root:
 * {@code java -cp lab/target/classes io.github.macvlanshim.lab.CaptureIncusFixtures runtime/src/test/resources/lxd-json/incus}
 */
public final class CaptureIncusFixtures {

    private CaptureIncusFixtures() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        LabDir.sweepStale();
        Lab.sweepStale();
        try (Lab lab = Lab.create(); LxdDaemon incus = LxdDaemon.startIncus(lab.hostNetns())) {
            write(out, "server.json", incus.query("/1.0"));
            incus.lxc("network", "create", "macnet", "--type=macvlan", "parent=eth0");
            incus.lxc("network", "create", "macvlan20", "--type=macvlan", "parent=eth0", "vlan=20");
            write(out, "networks.json", incus.query("/1.0/networks?recursion=1"));

            incus.launch("b1");
            incus.setAddress("b1", "198.51.100.201/24", "2001:db8:100::201/64");
            nic(incus, "p1", "mode=private");
            incus.startInstance("p1");
            incus.setAddress("p1", "198.51.100.202/24", null);
            nic(incus, "v1", "mode=vepa");
            incus.startInstance("v1");
            incus.setAddress("v1", "198.51.100.203/24", null);
            nic(incus, "x1", "mode=passthru");
            nic(incus, "t1", "vlan=20");
            nic(incus, "t2", "vlan=30", "mode=bridge");
            incus.lxc("init", LxdDaemon.IMAGE, "t3", "--profile", "default");
            incus.lxc("config", "device", "add", "t3", "eth0", "nic", "network=macvlan20", "name=eth0");
            write(out, "instances-recursion2-all-projects.json", incus.query("/1.0/instances?recursion=2&all-projects=true"));
            write(out, "instance-p1.json", incus.query("/1.0/instances/p1"));
            write(out, "instance-p1-state.json", incus.query("/1.0/instances/p1/state"));
            System.out.println("captured at " + Instant.now() + " into " + out);
        }
    }

    /** A container {@code name} on the default profile with a macvlan NIC eth0 on eth0 that has {@code keys}. */
    private static void nic(LxdDaemon incus, String name, String... keys) {
        incus.lxc("init", LxdDaemon.IMAGE, name, "--profile", "default");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("config", "device", "add", name, "eth0",
                "nic", "nictype=macvlan", "parent=eth0", "name=eth0"));
        args.addAll(java.util.List.of(keys));
        incus.lxc(args.toArray(String[]::new));
    }

    private static void write(Path dir, String name, String json) throws IOException {
        Files.writeString(dir.resolve(name), json.endsWith("\n") ? json : json + "\n", StandardCharsets.UTF_8);
    }
}
