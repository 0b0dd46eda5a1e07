package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.macvlanshim.lab.Lab;

/**
 * Against a real kernel (root): a plan whose last change names a hostile interface fails whole, and the
 * namespace is exactly as it was, although the plan's first changes were valid: no ip ran at all.
 */
@Tag("lab")
class HostileChangeLabTest {

    private Lab lab;
    private IpRoute2HostNetwork network;

    @BeforeAll
    static void sweep() {
        Lab.sweepStale();
    }

    @BeforeEach
    void createLab() {
        lab = Lab.create();
        network = new IpRoute2HostNetwork(Optional.of(lab.hostNetns()));
    }

    @AfterEach
    void closeLab() {
        lab.close();
    }

    private String kernel() {
        return lab.ip(lab.hostNetns(), "-d", "link", "show") + lab.ip(lab.hostNetns(), "-4", "route", "show", "table", "all")
                + lab.ip(lab.hostNetns(), "-6", "route", "show", "table", "all") + lab.ip(lab.hostNetns(), "address", "show");
    }

    @ParameterizedTest
    @ValueSource(strings = { "-batch", "dev", "help", "eth0 up", "1.2.3.4 via", "x\nlink del eth0", "eth\u0000" })
    void aHostileChangeFailsTheWholePlanAndTheKernelIsUnchanged(String hostile) {
        String before = kernel();
        List<Change> plan = List.of(
                new Change.CreateShim("mynet", "eth0", 1500),
                new Change.AddAddress("mynet", IpLiterals.parse("198.51.100.72"), 32),
                new Change.SetUp("mynet"),
                new Change.AddRoute(hostile, IpPrefix.parse("198.51.100.201"), Optional.empty(), "lxd c1", false));

        assertThatThrownBy(() -> network.apply(plan, 77)).isInstanceOf(HostNetworkException.class)
                .hasMessageStartingWith("cannot apply the plan, nothing was changed: interface name");

        assertThat(kernel()).isEqualTo(before);
        assertThat(lab.ip(lab.hostNetns(), "link", "show")).doesNotContain("mynet");
    }
}
