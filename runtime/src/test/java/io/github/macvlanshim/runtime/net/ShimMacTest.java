package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShimMacTest {

    private static final String MACHINE = "3d1219c7c4c5404aaa1f6d2a48adfda4";

    @Test
    void aDerivedMacIsStableLocallyAdministeredUnicastAndDiffersPerShimNamespaceAndMachine() {
        String mac = ShimMac.derive(MACHINE, "net:[4026531833]", "mynet");

        assertThat(ShimMac.derive(MACHINE, "net:[4026531833]", "mynet")).isEqualTo(mac);
        assertThat(ShimMac.require(mac)).isEqualTo(mac);
        int first = Integer.parseInt(mac.substring(0, 2), 16);
        assertThat(first & 0x01).as("unicast").isZero();
        assertThat(first & 0x02).as("locally administered").isEqualTo(2);
        assertThat(ShimMac.derive(MACHINE, "net:[4026531833]", "lan2")).isNotEqualTo(mac);
        assertThat(ShimMac.derive(MACHINE, "netns lab1", "mynet")).isNotEqualTo(mac);
        assertThat(ShimMac.derive("0123456789abcdef0123456789abcdef", "net:[4026531833]", "mynet")).isNotEqualTo(mac);
        assertThat(mac).doesNotContain(MACHINE.substring(0, 2) + ":" + MACHINE.substring(2, 4));
    }
}
