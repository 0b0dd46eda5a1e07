package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
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
    @Test
    void theHandWrittenIpv4CheckAgreesWithTheRegularExpressionItReplaced() {
        Pattern ipv4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
        List<String> texts = new ArrayList<>(List.of("", ".", "0.0.0.0", "255.255.255.255", "1.2.3", "1.2.3.4.", ".1.2.3.4",
                "01.2.3.4", "1.02.3.4", "1.2.3.04", "1000.1.1.1", "1..2.3", "1.2.3.4.5", "10.0.0.1", "100.200.30.4",
                "1.2.3.a", "::1", "1.2.3.4/32"));
        Random random = new Random(42);
        String alphabet = "0123456789..a:";
        for (int n = 0; n < 200_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int length = 1 + random.nextInt(15); text.length() < length;) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            texts.add(text.toString());
        }
        for (String text : texts) {
            assertThat(IpLiterals.isIpv4Literal(text)).as(text).isEqualTo(ipv4.matcher(text).matches());
        }
    }
}
