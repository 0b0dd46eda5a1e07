package io.github.macvlanshim.runtime.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.github.macvlanshim.runtime.reconcile.ShimSpec;

/**
 * A host network that lives only in memory, over a {@link SimulatedKernel}: what the engine works on in test
 * mode, so that an application's own tests start the extension, inject its beans and read what the engine
 * would have done, without the machine running the tests being read or changed. Like {@code ip -force -batch},
 * a change the kernel would refuse is returned and the others are still made.
 */
public final class InMemoryHostNetwork implements HostNetwork {

    /** The MTU the kernel gives a new Ethernet device. */
    private static final int ETHERNET_MTU = 1500;

    private final SimulatedKernel kernel;

    public InMemoryHostNetwork(NetworkState initial) {
        this.kernel = new SimulatedKernel(initial);
    }

    /**
     * A host with loopback and every shim's parent, up, without addresses: enough for every configured shim to
     * be made, so that the engine converges and readiness is UP as on a well-set-up host.
     */
    public static InMemoryHostNetwork withParentsOf(List<ShimSpec> shims) {
        List<Link> links = new ArrayList<>();
        links.add(new Link("lo", 1, Optional.empty(), Optional.empty(), Optional.empty(), 65536, true, List.of(),
                false, false));
        shims.stream().map(ShimSpec::parent).distinct().forEach(parent -> links.add(new Link(parent,
                links.size() + 1, Optional.empty(), Optional.empty(), Optional.empty(), ETHERNET_MTU, true, List.of(),
                false, false)));
        return new InMemoryHostNetwork(NetworkState.of(links, List.of(), Set.of()));
    }

    @Override
    public synchronized NetworkState read() {
        return kernel.state();
    }

    @Override
    public synchronized List<Refusal> apply(List<Change> changes, int protocol) {
        List<Refusal> refused = new ArrayList<>();
        for (int line = 1; line <= changes.size(); line++) {
            try {
                kernel.apply(changes.get(line - 1), protocol);
            } catch (SimulatedKernel.Refused e) {
                refused.add(new Refusal(changes.get(line - 1), e.getMessage() + " (in-memory host network, change " + line + ")"));
            }
        }
        return refused;
    }
}
