package io.github.macvlanshim.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.github.macvlanshim.lab.Closing;
import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.HostNetwork;
import io.github.macvlanshim.runtime.net.IpRoute2HostNetwork;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;
import io.github.macvlanshim.runtime.source.StaticSource;

/**
 * The lab the engine's static-route lab tests share, one per test: a LAN, a host whose eth0 is on it, and
 * containers c1 and c2 on macvlan children of the host's eth0 (as LXD makes them), plus the engines a test starts
 * on the host (static source, route protocol {@value #PROTOCOL}). After the test, even a failed one, the engines are
 * closed, the last started first, then the lab is removed. Register it on a field, and take the lab's parts from it in field initialisers:
 *
 * <pre>
 * &#64;RegisterExtension
 * final EngineLab fixture = new EngineLab();
 * private final Lab lab = fixture.lab();
 * </pre>
 *
 * The lab is made when the extension is (with the test instance), so those fields are ready for every test.
 */
public final class EngineLab implements AfterEachCallback {

    public static final String C1_V4 = "198.51.100.253";
    public static final String C1_V6 = "2001:db8:100::253";
    public static final String C2_V4 = "198.51.100.254";
    public static final String C2_V6 = "2001:db8:100::254";
    /** The route protocol of the engines started here: their routes are those the host shows with it. */
    public static final int PROTOCOL = 77;

    private final Lab lab;
    private final List<String> containers;
    private final List<Engine> engines = new ArrayList<>();

    /** Sweeps what a dead run left, then builds the lab with both containers; removes it again if that fails. */
    public EngineLab() {
        Lab.sweepStale();
        lab = Lab.create();
        containers = Closing.onFailure(lab, made -> List.of(made.addContainer("c1", C1_V4, C1_V6),
                made.addContainer("c2", C2_V4, C2_V6)));
    }

    public Lab lab() {
        return lab;
    }

    /** The host's namespace, where the engines run. */
    public String host() {
        return lab.hostNetns();
    }

    /** Container c1's namespace ({@value #C1_V4}, {@value #C1_V6}). */
    public String c1() {
        return containers.get(0);
    }

    /** Container c2's namespace ({@value #C2_V4}, {@value #C2_V6}). */
    public String c2() {
        return containers.get(1);
    }

    /** Settings for an engine on the host with {@code shim}, ticking every 30 s. */
    public EngineSettings settings(ShimSpec shim, OnStop onStop) {
        return new EngineSettings(List.of(shim), Duration.ofSeconds(30), PROTOCOL, onStop, false,
                Optional.of(host()));
    }

    /** Starts an engine whose only source is the static routes of {@code settings}; closed after the test. */
    public Engine start(EngineSettings settings) {
        return start(settings, Engine.Leftovers.KEEP);
    }

    /** As {@link #start(EngineSettings)}, with {@code leftovers} for the shims earlier engines left. */
    public Engine start(EngineSettings settings, Engine.Leftovers leftovers) {
        return start(settings, new IpRoute2HostNetwork(settings.netns()), leftovers);
    }

    /** As {@link #start(EngineSettings, Engine.Leftovers)}, on {@code network} (the host's, maybe wrapped). */
    public Engine start(EngineSettings settings, HostNetwork network, Engine.Leftovers leftovers) {
        Engine engine = Engine.start(settings, network, List.of(new StaticSource(settings.shims())), report -> {
        }, leftovers);
        engines.add(engine);
        return engine;
    }

    /** Closes {@code engine} now, as a restart of the agent would. */
    public void stop(Engine engine) {
        engines.remove(engine);
        engine.close();
    }

    /** The host's routes with protocol {@value #PROTOCOL}: the engines' own. */
    public List<String> ownedRoutes() {
        return lab.routesWithProtocol(host(), PROTOCOL);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            // The last started first: an engine started beside another one goes before it.
            for (int i = engines.size() - 1; i >= 0; i--) {
                engines.get(i).close();
            }
        } finally {
            lab.close();
        }
    }
}
