package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralsTest {

    @ParameterizedTest
    @CsvSource({
            "198.51.100.7, 198.51.100.7",
            "0.0.0.0, 0.0.0.0",
            "255.255.255.255, 255.255.255.255",
            "2001:db8::1, 2001:db8::1",
            "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "2001:db8:1:0:0:0:0:0, 2001:db8:1::",
            "::, ::",
            "::1, ::1",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    })
    void parsesLiteralsAndFormatsThemCanonically(String text, String canonical) {
        assertThat(IpLiterals.format(IpLiterals.parse(text))).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = { "localhost", "example.org", "deadbeef", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4",
            "1.2.3.4 ", " 1.2.3.4", "1.2.3.4/24", "2001:db8::g", "2001:db8:::1", "fe80::1%eth0", "-batch", "", "1.2.3.4via",
            "[2001:db8::1]" })
    void refusesAnythingThatIsNotAPlainLiteral(String text) {
        assertThatThrownBy(() -> IpLiterals.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "::ffff:198.51.100.7" })
    void refusesIpv4MappedIpv6(String text) {
        assertThatThrownBy(() -> IpLiterals.parse(text)).hasMessageContaining("IPv4-mapped");
    }

    @ParameterizedTest
    @ValueSource(strings = { "198.51.100.7" })
    void familySpecificParsersRefuseTheOtherFamily(String v4) {
        assertThat(IpLiterals.parseIpv4Only(v4)).isInstanceOf(Inet4Address.class);
        assertThatThrownBy(() -> IpLiterals.parseIpv6Only(v4)).hasMessageContaining("not IPv6");
        assertThat(IpLiterals.parseIpv6Only("2001:db8::7")).isInstanceOf(Inet6Address.class);
        assertThatThrownBy(() -> IpLiterals.parseIpv4Only("2001:db8::7")).hasMessageContaining("not IPv4");
    }
}
