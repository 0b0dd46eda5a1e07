package io.github.macvlanshim.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.lab.LxdHost;

/** A real LXD daemon in a lab host namespace (the lab's {@link LxdHost}), as the agent's LXD source reads it. */
final class LxdInstanceHost implements InstanceHost {

    private final LxdHost host;
    private final List<String> made = new ArrayList<>();

    private LxdInstanceHost(LxdHost host) {
        this.host = host;
    }

    static InstanceHost start() {
        return new LxdInstanceHost(LxdHost.start());
    }

    @Override
    public Lab lab() {
        return host.lab();
    }

    @Override
    public Map<String, String> agentConfig() {
        return Map.of("quarkus.macvlan-shim.lxd.socket", host.lxd().socket().toString(),
                "quarkus.macvlan-shim.docker.socket", "none");
    }

    @Override
    public void run(String name, String ipv4, String ipv6) {
        host.lxd().launch(name);
        made.add(name);
        host.lxd().setAddress(name, ipv4 + "/24", ipv6 + "/64");
    }

    @Override
    public void remove(String name) {
        host.lxd().deleteInstance(name, true);
        made.remove(name);
    }

    @Override
    public void kill() {
        host.lxd().kill();
    }

    @Override
    public void restart() {
        host.lxd().restart();
    }

    @Override
    public void removeAll() {
        if (!host.lxd().isRunning()) {
            restart();
        }
        for (String name : List.copyOf(made)) {
            remove(name);
        }
    }

    @Override
    public void close() {
        host.close();
    }

    @Override
    public String toString() {
        return "lxd";
    }
}
