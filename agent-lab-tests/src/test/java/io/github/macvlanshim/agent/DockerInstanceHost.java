package io.github.macvlanshim.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.macvlanshim.lab.DockerDaemon;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LabDir;

/**
 * A real Docker engine (the lab's {@link DockerDaemon}) in a fresh lab's host namespace, with one macvlan network
 * {@value #NETWORK} on eth0, as the agent's Docker source reads it.
 */
final class DockerInstanceHost implements InstanceHost {

    static final String NETWORK = "mac0";

    private final Lab lab;
    private final DockerDaemon docker;
    private final List<String> made = new ArrayList<>();

    private DockerInstanceHost(Lab lab, DockerDaemon docker) {
        this.lab = lab;
        this.docker = docker;
    }

    static InstanceHost start() {
        LabDir.sweepStale();
        Lab.sweepStale();
        Lab lab = Lab.create();
        DockerDaemon docker = null;
        try {
            docker = DockerDaemon.start(lab.hostNetns());
            // The lab LAN's subnets; the addresses the tests give are in them but outside the IPAM range.
            docker.docker("network", "create", "-d", "macvlan", "--subnet", "198.51.100.0/24", "--gateway",
                    "198.51.100.1", "--ip-range", "198.51.100.160/28", "--ipv6", "--subnet", "2001:db8:100::/64",
                    "--gateway", "2001:db8:100::1", "-o", "parent=eth0", NETWORK);
            return new DockerInstanceHost(lab, docker);
        } catch (RuntimeException e) {
            try {
                if (docker != null) {
                    docker.close();
                }
                lab.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @Override
    public Lab lab() {
        return lab;
    }

    @Override
    public Map<String, String> agentConfig() {
        return Map.of("quarkus.macvlan-shim.docker.socket", docker.socket().toString(),
                "quarkus.macvlan-shim.lxd.socket", "none");
    }

    @Override
    public void run(String name, String ipv4, String ipv6) {
        docker.run(name, "--network", NETWORK, "--ip", ipv4, "--ip6", ipv6);
        made.add(name);
    }

    @Override
    public void remove(String name) {
        docker.docker("rm", "-f", name);
        made.remove(name);
    }

    /** Without live-restore (dockerd's default), the restarted engine stops what ran when it was killed. */
    @Override
    public void kill() {
        docker.kill();
    }

    @Override
    public void restart() {
        docker.restart();
    }

    @Override
    public void removeAll() {
        if (!docker.isRunning()) {
            restart();
        }
        for (String name : List.copyOf(made)) {
            remove(name);
        }
    }

    @Override
    public void close() {
        try {
            docker.close();
        } finally {
            lab.close();
        }
    }

    @Override
    public String toString() {
        return "docker";
    }
}
