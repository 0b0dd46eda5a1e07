package io.github.macvlanshim.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Captures what a real two-member LXD cluster ({@link LxdCluster}) answers, for parsing tests: k1 on m1 and k2 on
 * m2, each with a global IPv4 and IPv6 address on its macvlan eth0, then the raw JSON of a few API calls into the
 * folder given as the only argument (see the fixture folder's README.md). Run as root:
 * {@code java -cp lab/target/classes io.github.macvlanshim.lab.CaptureLxdClusterFixtures runtime/src/test/resources/lxd-json/cluster}
 */
public final class CaptureLxdClusterFixtures {

    private CaptureLxdClusterFixtures() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        LabDir.sweepStale();
        Lab.sweepStale();
        try (Lab lab = Lab.create(); LxdCluster cluster = LxdCluster.form(lab)) {
            LxdDaemon m1 = cluster.member(LxdCluster.M1);
            LxdDaemon m2 = cluster.member(LxdCluster.M2);
            m1.launch("k1", "--target", LxdCluster.M1);
            m1.launch("k2", "--target", LxdCluster.M2);
            m1.setAddress("k1", "198.51.100.211/24", "2001:db8:100::211/64");
            m2.setAddress("k2", "198.51.100.212/24", "2001:db8:100::212/64");

            write(out, "server-m1.json", m1.query("/1.0"));
            write(out, "server-m2.json", m2.query("/1.0"));
            write(out, "instances-recursion2-all-projects.json", m1.query("/1.0/instances?recursion=2&all-projects=true"));
            System.out.println("captured at " + Instant.now() + " into " + out);
        }
    }

    private static void write(Path dir, String name, String json) throws IOException {
        Files.writeString(dir.resolve(name), json.endsWith("\n") ? json : json + "\n", StandardCharsets.UTF_8);
    }
}
