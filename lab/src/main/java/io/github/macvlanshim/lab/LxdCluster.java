package io.github.macvlanshim.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A real two-member LXD cluster on one lab LAN: member {@value #M1} is a daemon in the lab's own host namespace
 * ({@link Lab#HOST_IPV4}), member {@value #M2} a daemon in a second host namespace ({@value #M2_IPV4},
 * {@value #M2_IPV6}) added with {@link Lab#addHost}. The members talk to each other on their eth0 addresses,
 * port 8443, inside the lab only.
 * <p>
 * Set up once for the whole cluster as {@link LxdDaemon#start} sets up a single daemon: a {@code dir} pool
 * {@code default}, the default profile's root disk, no image auto-update, a profile
 * {@value LxdDaemon#MACVLAN_PROFILE} (eth0 macvlan on the member's eth0; every member has one) and the busybox
 * image. Launch on a member with {@code member("m1").launch("k2", "--target", "m2")}; either member's socket
 * sees every instance, with its {@code location}.
 * <p>
 * {@link #close()} stops every instance and closes both daemons (processes, mounts, directories); the
 * {@link Lab} itself, with its namespaces ({@value #M2}'s included), is closed by the caller.
 */
public final class LxdCluster implements AutoCloseable {

    public static final String M1 = "m1";
    public static final String M2 = "m2";
    public static final String M2_IPV4 = "198.51.100.63";
    public static final String M2_IPV6 = "2001:db8:100::63";
    public static final int PORT = 8443;

    /** How long each step of forming the cluster took, for reports. */
    public record FormTimes(Duration daemonsReady, Duration bootstrapped, Duration joined, Duration configured,
            Duration imageImported, Duration total) {
    }

    /** In start order; closed in reverse, so the joining member leaves before the one holding the database. */
    private final Map<String, LxdDaemon> members = new LinkedHashMap<>();
    private FormTimes formTimes;
    private boolean closed;

    private LxdCluster() {
    }

    /**
     * Forms the cluster on {@code lab}: starts both daemons, bootstraps {@value #M1}, joins {@value #M2} with a
     * token from {@value #M1}, then configures the cluster and imports the image. On failure, removes what it
     * had started (the namespace {@value #M2} lives in stays with the lab).
     */
    public static LxdCluster form(Lab lab) {
        return Closing.onFailure(new LxdCluster(), cluster -> {
            cluster.build(lab);
            return cluster;
        });
    }

    private void build(Lab lab) {
        long t0 = System.nanoTime();
        String m2Netns = lab.addHost(M2, M2_IPV4, M2_IPV6);
        // Started side by side: each daemon's start-up is mostly waiting.
        CompletableFuture<LxdDaemon> m1 = CompletableFuture.supplyAsync(() -> LxdDaemon.startBare(lab.hostNetns()));
        CompletableFuture<LxdDaemon> m2 = CompletableFuture.supplyAsync(() -> LxdDaemon.startBare(m2Netns));
        members.put(M1, join(m1, m2));
        members.put(M2, join(m2, m1));
        long t1 = System.nanoTime();

        member(M1).preseed(bootstrapPreseed(Lab.HOST_IPV4));
        long t2 = System.nanoTime();

        String token = member(M1).lxc("cluster", "add", M2, "--quiet").strip();
        member(M2).preseed(joinPreseed(M2_IPV4, token));
        long t3 = System.nanoTime();

        LxdDaemon lxd = member(M1);
        lxd.lxc("config", "set", "images.auto_update_interval", "0");
        lxd.lxc("profile", "create", LxdDaemon.MACVLAN_PROFILE);
        lxd.lxc("profile", "device", "add", LxdDaemon.MACVLAN_PROFILE, "eth0", "nic", "nictype=macvlan", "parent=eth0");
        long t4 = System.nanoTime();

        lxd.importImage();
        long t5 = System.nanoTime();
        formTimes = new FormTimes(Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1), Duration.ofNanos(t3 - t2),
                Duration.ofNanos(t4 - t3), Duration.ofNanos(t5 - t4), Duration.ofNanos(t5 - t0));
    }

    /** The result of {@code first}; if it failed, still waits for {@code other} and closes what it started. */
    private static LxdDaemon join(CompletableFuture<LxdDaemon> first, CompletableFuture<LxdDaemon> other) {
        try {
            return first.join();
        } catch (CompletionException e) {
            try {
                other.join().close();
            } catch (RuntimeException otherFailedToo) {
                e.addSuppressed(otherFailedToo);
            }
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    static String bootstrapPreseed(String address) {
        return """
                config:
                  core.https_address: %s:%d
                storage_pools:
                - name: default
                  driver: dir
                profiles:
                - name: default
                  config:
                    boot.host_shutdown_timeout: "1"
                  devices:
                    root:
                      type: disk
                      path: /
                      pool: default
                cluster:
                  server_name: %s
                  enabled: true
                """.formatted(address, PORT, M1);
    }

    static String joinPreseed(String address, String token) {
        return """
                cluster:
                  enabled: true
                  server_name: %s
                  server_address: %s:%d
                  cluster_token: %s
                  member_config:
                  - entity: storage-pool
                    name: default
                    key: source
                    value: ""
                """.formatted(M2, address, PORT, token);
    }

    /** The daemon of member {@code name} ({@value #M1} or {@value #M2}). */
    public LxdDaemon member(String name) {
        LxdDaemon lxd = members.get(name);
        if (lxd == null) {
            throw new IllegalArgumentException("no cluster member '" + name + "'; members are " + members.keySet());
        }
        return lxd;
    }

    /** The member names, {@value #M1} first. */
    public List<String> memberNames() {
        return List.copyOf(members.keySet());
    }

    /** How long forming the cluster took. */
    public FormTimes formTimes() {
        return formTimes;
    }

    /**
     * Stops every instance while both members are up (a member that is gone cannot stop its instances), then
     * closes the members in reverse start order; tries them all, then throws naming what was left behind.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> failures = new ArrayList<>();
        LxdDaemon first = members.get(M1);
        if (first != null && first.isRunning()) {
            first.stopAllInstances();
        }
        List<LxdDaemon> reverse = new ArrayList<>(members.values());
        Collections.reverse(reverse);
        for (LxdDaemon lxd : reverse) {
            try {
                lxd.close();
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("lxd cluster left things behind: " + String.join("; ", failures));
        }
    }
}
