package io.github.macvlanshim.it;

import java.util.HashMap;
import java.util.Map;

/**
 * The lab of {@link LabResource}, with the LXD source configured at a socket that does not exist: a daemon the
 * configuration says is there, not (yet) running. Nothing is ever created at that path.
 */
public class AbsentLxdLabResource extends LabResource {

    static volatile String socket;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        socket = "/run/" + lab.namespaces().get(0) + "-absent-lxd/unix.socket";
        config.put("quarkus.macvlan-shim.lxd.socket", socket);
        return config;
    }
}
