package io.github.macvlanshim.runtime.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import io.github.macvlanshim.runtime.net.Change;
import io.github.macvlanshim.runtime.net.HostNetwork;
import io.github.macvlanshim.runtime.net.HostNetworkException;
import io.github.macvlanshim.runtime.net.NetworkState;
import io.github.macvlanshim.runtime.net.Refusal;
import io.github.macvlanshim.runtime.net.SimulatedKernel;

/**
 * A {@link HostNetwork} over a {@link SimulatedKernel}: reads show the simulated state, applies go through the
 * simulation and are recorded. Like {@code ip -force -batch}, a refused change is returned and the others are
 * still made.
 */
final class FakeHostNetwork implements HostNetwork {

    /** One call of {@link #apply(List, int)}, with what it was given. */
    record ApplyCall(List<Change> changes, int protocol) {

        ApplyCall {
            changes = List.copyOf(changes);
        }
    }

    private final SimulatedKernel kernel;
    private final List<ApplyCall> applyCalls = new ArrayList<>();
    private volatile boolean failNextRead;
    private volatile Runnable onRead = () -> { };
    private OptionalInt failNextApplyAt = OptionalInt.empty();

    FakeHostNetwork(NetworkState initial) {
        kernel = new SimulatedKernel(initial);
    }

    /** The kernel behind this network, for tests to look at or to cause drift in. */
    SimulatedKernel kernel() {
        return kernel;
    }

    List<ApplyCall> applyCalls() {
        return List.copyOf(applyCalls);
    }

    /** Makes the next {@link #read()} fail. */
    void failNextRead() {
        failNextRead = true;
    }

    /** Makes the next {@link #apply(List, int)} refuse its {@code n}th change (from 1); the others are made. */
    void failNextApplyAtChange(int n) {
        failNextApplyAt = OptionalInt.of(n);
    }

    /** Runs {@code hook} at the start of every {@link #read()}, on the reading thread. */
    void onRead(Runnable hook) {
        onRead = hook;
    }

    @Override
    public NetworkState read() throws HostNetworkException {
        onRead.run();
        if (failNextRead) {
            failNextRead = false;
            throw new HostNetworkException("ip -json link show: simulated read failure");
        }
        return kernel.state();
    }

    @Override
    public List<Refusal> apply(List<Change> changes, int protocol) throws HostNetworkException {
        applyCalls.add(new ApplyCall(changes, protocol));
        OptionalInt failAt = failNextApplyAt;
        failNextApplyAt = OptionalInt.empty();
        List<Refusal> refused = new ArrayList<>();
        for (int line = 1; line <= changes.size(); line++) {
            Change change = changes.get(line - 1);
            if (failAt.isPresent() && failAt.getAsInt() == line) {
                refused.add(new Refusal(change, "simulated refusal (ip batch line " + line + ")"));
                continue;
            }
            try {
                kernel.apply(change, protocol);
            } catch (SimulatedKernel.Refused e) {
                refused.add(new Refusal(change, e.getMessage() + " (ip batch line " + line + ")"));
            }
        }
        return refused;
    }
}
