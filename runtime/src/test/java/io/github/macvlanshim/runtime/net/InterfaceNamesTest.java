package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InterfaceNamesTest {

    @ParameterizedTest
    @ValueSource(strings = { "eth0", "mynet", "enp3s0f1", "br-lan", "eth0.100", "a", "fifteen_bytes_x", "mv@1" })
    void acceptsOrdinaryNames(String name) {
        assertThat(InterfaceNames.problem(name)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "sixteen_bytes_xx", "my/net", "my:net", "my net", "my\tnet", "-batch", ".hidden", "@x",
            "all", "default", "dev", "help", "eth0\nlink", "é", "a;b", "$(x)" })
    void refusesNamesThatCouldMisleadIpOrSysctl(String name) {
        assertThat(InterfaceNames.problem(name)).isNotNull();
    }
}
