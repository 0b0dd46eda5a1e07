package io.github.macvlanshim.agent;

import java.util.Map;
import java.util.function.Supplier;

import io.github.macvlanshim.lab.Lab;

/**
 * A container manager running in a lab host namespace, as an instance source of the agent sees it: what the
 * agent-level source tests ({@link InstanceSourceAgentLabTest}) need of it. One implementation per source; adding
 * a source to those tests is one more of these and one more {@link Kind}.
 */
interface InstanceHost extends AutoCloseable {

    /** The sources the agent-level tests run against, each with how its lab host is started. */
    enum Kind {
        LXD(LxdInstanceHost::start),
        DOCKER(DockerInstanceHost::start);

        private final Supplier<InstanceHost> starter;

        Kind(Supplier<InstanceHost> starter) {
            this.starter = starter;
        }

        InstanceHost start() {
            return starter.get();
        }
    }

    /** The lab whose host namespace runs the daemon; containers sit on macvlan NICs of its eth0. */
    Lab lab();

    /** The agent properties that point it at this daemon (and only this source). */
    Map<String, String> agentConfig();

    /** Creates and starts {@code name} on a macvlan NIC of eth0 and gives it {@code ipv4}/24 and {@code ipv6}/64. */
    void run(String name, String ipv4, String ipv6);

    /** Deletes {@code name}, running or not. */
    void remove(String name);

    /** SIGKILLs the daemon, as a crash would; its containers keep running. */
    void kill();

    /** Starts the daemon again on the same state after {@link #kill()}. */
    void restart();

    /** Removes every container it made, first starting the daemon again if it was killed. */
    void removeAll();

    @Override
    void close();
}
