package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpPrefixTest {

    @ParameterizedTest
    @CsvSource({
            "198.51.100.7, 198.51.100.7/32, true",
            "198.51.100.0/24, 198.51.100.0/24, false",
            "2001:db8::7, 2001:db8::7/128, true",
            "2001:db8:100::/64, 2001:db8:100::/64, false",
            "0.0.0.0/0, 0.0.0.0/0, false",
    })
    void parsesAddressesAndPrefixes(String text, String canonical, boolean host) {
        IpPrefix prefix = IpPrefix.parse(text);
        assertThat(prefix).hasToString(canonical);
        assertThat(prefix.isHost()).isEqualTo(host);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "198.51.100.7/24 | host bits set",
            "198.51.100.0/33 | outside 0-32",
            "2001:db8::/129 | outside 0-128",
            "198.51.100.0/x | not a prefix length",
            "198.51.100.0/ | not a prefix length",
            "198.51.100.0/-1 | not a prefix length",
            "lan/24 | not an IPv4 or IPv6 literal",
    })
    void refusesMalformedPrefixesSayingWhy(String text, String why) {
        assertThatThrownBy(() -> IpPrefix.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(why);
    }

    @Test
    void equalPrefixesAreEqualKeysWhateverTheirSpellingAndOthersAreNot() {
        IpPrefix host = IpPrefix.parse("2001:db8::7");
        assertThat(host).isEqualTo(IpPrefix.parse("2001:0db8:0:0::7/128")).hasSameHashCodeAs(IpPrefix.parse("2001:db8::7/128"));
        assertThat(IpPrefix.parse("198.51.100.0/24")).isNotEqualTo(IpPrefix.parse("198.51.100.0/25"))
                .isNotEqualTo(IpPrefix.parse("198.51.101.0/24")).isNotEqualTo("198.51.100.0/24");
        assertThat(Set.of(IpPrefix.parse("198.51.100.7"), IpPrefix.parse("203.0.113.7")))
                .contains(IpPrefix.parse("198.51.100.7/32")).doesNotContain(IpPrefix.parse("198.51.100.8"));
    }

    @Test
    void containsTellsWhetherAnAddressIsInside() {
        IpPrefix lan = IpPrefix.parse("198.51.100.0/24");
        assertThat(lan.contains(IpLiterals.parse("198.51.100.254"))).isTrue();
        assertThat(lan.contains(IpLiterals.parse("198.51.101.1"))).isFalse();
        assertThat(lan.contains(IpLiterals.parse("2001:db8::1"))).isFalse();
    }
}
