package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InterfaceNamesTest {

    @ParameterizedTest
    @ValueSource(strings = { "eth0", "mynet", "enp3s0f1", "br-lan", "eth0.100", "a", "fifteen_bytes_x", "mv@1" })
    void acceptsOrdinaryNames(String name) {
        assertThat(InterfaceNames.problem(name)).isNull();
        assertThat(InterfaceNames.isValid(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "sixteen_bytes_xx", "my/net", "my:net", "my net", "my\tnet", "-batch", ".hidden", "@x",
            "all", "default", "dev", "help", "eth0\nlink", "é", "a;b", "$(x)", "ééééééé8", "a.b@c-d_" + "é" })
    void refusesNamesThatCouldMisleadIpOrSysctl(String name) {
        assertThat(InterfaceNames.problem(name)).isNotNull();
        assertThat(InterfaceNames.isValid(name)).isFalse();
    }

    @Test
    void isValidSaysWhatProblemSaysForEveryShortStringOfTheCharactersThatMatter() {
        char[] alphabet = { 'a', 'Z', '0', '_', '.', '@', '-', '/', ' ', 'é', '\n' };
        List<String> names = new ArrayList<>(List.of("", "all", "default", "x".repeat(15), "x".repeat(16)));
        for (char a : alphabet) {
            for (char b : alphabet) {
                for (char c : alphabet) {
                    names.add("" + a);
                    names.add("" + a + b);
                    names.add("" + a + b + c);
                }
            }
        }
        for (String name : names) {
            assertThat(InterfaceNames.isValid(name)).as(UntrustedText.quote(name)).isEqualTo(InterfaceNames.problem(name) == null);
        }
    }
}
