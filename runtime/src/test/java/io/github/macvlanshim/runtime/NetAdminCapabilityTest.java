package io.github.macvlanshim.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NetAdminCapabilityTest {

    private static String status(String capEff) {
        return "Name:\tjava\nUmask:\t0022\nState:\tR (running)\nCapInh:\t0000000000000000\nCapPrm:\t" + capEff
                + "\nCapEff:\t" + capEff + "\nCapBnd:\t000001ffffffffff\nNoNewPrivs:\t0\n";
    }

    @Test
    void rootWithEveryCapabilityHasIt() {
        assertThat(NetAdminCapability.inEffectiveSet(status("000001ffffffffff"))).isTrue();
    }

    @Test
    void onlyCapNetAdminIsEnough() {
        assertThat(NetAdminCapability.inEffectiveSet(status("0000000000001000"))).isTrue();
    }

    @Test
    void aPlainUserHasNone() {
        assertThat(NetAdminCapability.inEffectiveSet(status("0000000000000000"))).isFalse();
    }

    @Test
    void everyCapabilityButNetAdminIsNotEnough() {
        // What setpriv --bounding-set -net_admin (or capsh --drop=cap_net_admin) leaves root with.
        assertThat(NetAdminCapability.inEffectiveSet(status("000001ffffffefff"))).isFalse();
    }

    @Test
    void theMessageNamesTheCapabilityAndEachWayToGrantIt() {
        assertThat(NetAdminCapability.MISSING).contains("CAP_NET_ADMIN", "root", "AmbientCapabilities=CAP_NET_ADMIN",
                "setcap cap_net_admin+ep", "quarkus.macvlan-shim.dry-run=true");
    }
}
