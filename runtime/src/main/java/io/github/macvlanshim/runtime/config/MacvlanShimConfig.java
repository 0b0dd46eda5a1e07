package io.github.macvlanshim.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * macvlan-shim: the shims to keep and how to keep them. Values are checked at start-up; a wrong one stops
 * start-up with a message naming the key, the value and what is expected.
 */
@ConfigMapping(prefix = "quarkus.macvlan-shim")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface MacvlanShimConfig {

    /** The first route protocol number no well-known routing daemon claims: marks the routes that are ours. */
    int DEFAULT_PROTOCOL = 77;

    /** A tmpfs on systemd hosts (the unit's RuntimeDirectory), empty after a reboot. */
    String DEFAULT_LOCK_DIRECTORY = "/run/macvlan-shim";

    /** Where the agent's package gives it a state directory. */
    String DEFAULT_STATE_FILE = "/var/lib/macvlan-shim/sources.json";

    /**
     * The shims, by interface name (1-15 bytes: letters, digits, '_', '.', '-'). Each is a macvlan in bridge
     * mode on its parent, through which the host reaches the instances that sit on that parent.
     */
    @ConfigDocMapKey("shim-name")
    Map<String, Shim> shims();

    /** Reconciliation. */
    Reconcile reconcile();

    /** The routes macvlan-shim installs. */
    Routes routes();

    /**
     * What happens to shims and routes when the agent stops: {@code keep} leaves them (connectivity survives a
     * restart and the next start adopts them), {@code remove} deletes exactly what is ours.
     */
    @WithDefault("keep")
    OnStop onStop();

    /** Plan and log every change, but change nothing. */
    @WithDefault("false")
    boolean dryRun();

    /**
     * Work inside this named network namespace ({@code ip -n NAME ...}) instead of the agent's own. Used by
     * tests and labs; leave unset on a real host.
     */
    Optional<String> netns();

    /** The LXD (or Incus) instance source. */
    Lxd lxd();

    /** The Docker (or Podman) container source. */
    Docker docker();

    /**
     * The directory of the lock file that keeps a second engine off this engine's routes: one engine per
     * network namespace and route protocol. An absolute path; a dry run takes no lock.
     */
    @WithDefault(DEFAULT_LOCK_DIRECTORY)
    String lockDirectory();

    /**
     * The file where each instance source's last good endpoints are kept, so that they outlive a restart: an
     * agent that starts while LXD is down keeps the routes LXD last asked for instead of removing them. Written
     * atomically; a missing or unusable file is a fresh start. {@code none}: nothing is kept across restarts.
     * Default: {@code /var/lib/macvlan-shim/sources.json}, or none when {@code netns} is set (labs and tests, whose
     * engines must neither share one file nor leave one behind).
     */
    Optional<String> stateFile();

    /** Test mode ({@code @QuarkusTest}, {@code QuarkusUnitTest}, {@code @QuarkusMainTest}). */
    Test test();

    /** One shim. */
    interface Shim {

        /** The interface the shim sits on and the instances' macvlan NICs sit on, e.g. {@code eth0}. Required. */
        Optional<String> parent();

        /**
         * An IPv4 address for the shim itself, given as /32. Leave unset for address-less mode: routes then
         * carry the parent's own IPv4 address as source, and no extra LAN address is spent.
         */
        Optional<String> address();

        /**
         * An IPv6 address for the shim itself, given as /128. Leave unset for address-less mode (routes carry
         * the parent's global IPv6 address as source). Either way the shim answers neighbour solicitations
         * for the parent's global IPv6 addresses (proxy NDP), so instances reach the host.
         */
        Optional<String> address6();

        /**
         * Addresses or prefixes always routed through this shim, whatever the instance sources say, e.g.
         * {@code 198.51.100.192/27,2001:db8:100::253}.
         */
        Optional<List<String>> staticRoutes();

        /**
         * The shim's MAC address, e.g. {@code 02:00:5e:10:00:01} (unicast). Unset: one derived from
         * /etc/machine-id, the namespace and the shim's name, the same at every start, so that a shim made
         * again keeps the MAC the instances' neighbour entries point at.
         */
        Optional<String> mac();
    }

    /** Reconciliation timing. */
    interface Reconcile {

        /**
         * How often the whole state is compared and repaired, besides the reconciles that source and kernel
         * events trigger at once.
         */
        @WithDefault("30s")
        Duration interval();
    }

    /** Route marking. */
    interface Routes {

        /**
         * The route protocol number ({@code ip route ... proto N}) that marks routes as ours. Only routes
         * carrying it are ever replaced or deleted. 5-255, and not a number a well-known routing daemon
         * uses (see the configuration guide).
         */
        @WithDefault("" + DEFAULT_PROTOCOL)
        int protocol();
    }

    /** Where the LXD or Incus daemon is. */
    interface Lxd {

        /**
         * The LXD and Incus API sockets. {@code auto}: one source per daemon, each at the first socket that exists
         * where its own client looks ({@code $LXD_SOCKET}, else {@code $LXD_DIR/unix.socket}, else
         * {@code /var/snap/lxd/common/lxd/unix.socket} then {@code /var/lib/lxd/unix.socket}; {@code $INCUS_SOCKET},
         * else {@code $INCUS_DIR/unix.socket}, else {@code /run/incus/unix.socket} then
         * {@code /var/lib/incus/unix.socket}), looked for again every second while nothing is there (a daemon
         * installed or started later is picked up without a restart). A list of absolute paths separated by
         * {@code ,}, each optionally named {@code lxd=PATH} or {@code incus=PATH} (unnamed: Incus's when a directory
         * on it says incus), at most one per daemon: those sockets, each waited for while it does not exist; nothing
         * a daemon asked for is removed until it has answered. {@code none}: both sources are off.
         */
        @WithDefault("auto")
        String socket();
    }

    /** Where the Docker engine or the Podman service is. */
    interface Docker {

        /**
         * The engine's API socket (Docker Engine API; Podman's Docker-compatible service). {@code auto}: the first
         * that exists of {@code $DOCKER_HOST} (when it is a {@code unix://} address), {@code /run/docker.sock},
         * {@code /var/run/docker.sock} and Podman's rootful {@code /run/podman/podman.sock}, looked for again every
         * second while none does (an engine installed or started later is picked up without a restart). An
         * absolute path: that socket, waited for while it does not exist; nothing the engine asked for is removed
         * until it has answered. {@code none}: the Docker source is off.
         */
        @WithDefault("auto")
        String socket();
    }

    /** What the engine works on in test mode. */
    interface Test {

        /**
         * Run the real engine in test mode, on the host's network (or the namespace {@code netns} names), with
         * the capability check, the locks and the kernel monitor. Off (the default), tests never read or change
         * the host: the engine works on an in-memory host network that has every shim's parent, the LXD source
         * is off, and readiness says so. Does nothing outside test mode.
         */
        @WithDefault("false")
        boolean realHost();
    }

    /** What to do with shims and routes at shutdown. */
    enum OnStop {
        KEEP,
        REMOVE
    }
}
