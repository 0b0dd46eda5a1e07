package io.github.macvlanshim.runtime;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether this process may change links, addresses and routes: CAP_NET_ADMIN in its effective set, as
 * {@code /proc/self/status} shows it. Checked before anything else at start-up, so that a missing capability is
 * one clear message instead of a failed lock directory or an error at every reconcile.
 */
final class NetAdminCapability {

    /** linux/capability.h. */
    static final int CAP_NET_ADMIN = 12;

    static final String MISSING = "macvlan-shim needs the capability CAP_NET_ADMIN to change links, addresses and"
            + " routes, and this process does not have it in its effective set: run it as root, or (systemd)"
            + " AmbientCapabilities=CAP_NET_ADMIN in the service (the agent's unit has it), or"
            + " setcap cap_net_admin+ep on the executable; quarkus.macvlan-shim.dry-run=true needs no capability";

    private static final Path STATUS = Path.of("/proc/self/status");

    private NetAdminCapability() {
    }

    /** The message to stop start-up with, or empty when this process has the capability. */
    static Optional<String> missing() {
        String status;
        try {
            status = Files.readString(STATUS, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            // Not Linux as we know it: the first ip call will tell.
            return Optional.empty();
        }
        return inEffectiveSet(status) ? Optional.empty() : Optional.of(MISSING);
    }

    /** Whether the {@code CapEff:} line of a {@code /proc/PID/status} text has CAP_NET_ADMIN; true when there is none. */
    static boolean inEffectiveSet(String procStatus) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return new BigInteger(line.substring("CapEff:".length()).trim(), 16).testBit(CAP_NET_ADMIN);
            }
        }
        return true;
    }
}
