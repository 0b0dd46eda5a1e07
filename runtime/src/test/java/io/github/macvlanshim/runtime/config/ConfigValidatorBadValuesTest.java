package io.github.macvlanshim.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.macvlanshim.runtime.config.TestConfig.TestShim;

/**
 * One bad value per row, across every key: each stops start-up with one line naming the key, the value and what
 * was expected.
 */
class ConfigValidatorBadValuesTest {

    private static final String P = "quarkus.macvlan-shim.";

    private static Arguments row(String key, String shownValue, String expectation, Consumer<TestConfig> bad) {
        return Arguments.of(key, shownValue, expectation, bad);
    }

    private static Consumer<TestConfig> mynet(Optional<String> parent, Optional<String> address, Optional<String> address6,
            Optional<List<String>> routes) {
        return config -> config.shims.put("mynet", new TestShim(parent, address, address6, routes));
    }

    private static Consumer<TestConfig> parent(String value) {
        return mynet(Optional.of(value), Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static Consumer<TestConfig> mac(String value) {
        return config -> config.shims.put("mynet", new TestShim(Optional.of("eth0"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(value)));
    }

    private static Consumer<TestConfig> address(String value) {
        return mynet(Optional.of("eth0"), Optional.of(value), Optional.empty(), Optional.empty());
    }

    private static Consumer<TestConfig> address6(String value) {
        return mynet(Optional.of("eth0"), Optional.empty(), Optional.of(value), Optional.empty());
    }

    private static Consumer<TestConfig> route(String value) {
        return mynet(Optional.of("eth0"), Optional.empty(), Optional.empty(), Optional.of(List.of("198.51.100.192/27", value)));
    }

    private static Consumer<TestConfig> shimNamed(String name) {
        return config -> {
            config.shims.clear();
            config.shims.put(name, TestConfig.shim("eth0"));
        };
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                row(P + "shims.mynet.parent", "", "is missing: expected the interface", mynet(Optional.empty(),
                        Optional.empty(), Optional.empty(), Optional.empty())),
                row(P + "shims.mynet.parent", "-batch", "expected an interface name", parent("-batch")),
                row(P + "shims.mynet.parent", "dev", "expected an interface name", parent("dev")),
                row(P + "shims.mynet.parent", "eth0 up", "expected an interface name", parent("eth0 up")),
                row(P + "shims.mynet.parent", "sixteen-bytes-xx", "longer than 15 bytes", parent("sixteen-bytes-xx")),
                row(P + "shims.mynet.parent", "eth0\\nlink", "expected an interface name", parent("eth0\nlink")),
                row(P + "shims.mynet.parent", "mynet", "cannot sit on itself", parent("mynet")),
                row(P + "shims.b.parent", "eth0", "shim 'a' already sits on eth0", config -> {
                    config.shims.clear();
                    config.shims.put("a", TestConfig.shim("eth0"));
                    config.shims.put("b", TestConfig.shim("eth0"));
                }),
                row(P + "shims.mynet.address", "example.org", "host names are not resolved", address("example.org")),
                row(P + "shims.mynet.address", "999.1.1.1", "octet 999 is over 255", address("999.1.1.1")),
                row(P + "shims.mynet.address", "2001:db8::1", "expected an IPv4 address literal", address("2001:db8::1")),
                row(P + "shims.mynet.address", "198.51.100.7/32", "expected an IPv4 address literal", address("198.51.100.7/32")),
                row(P + "shims.mynet.address", "127.0.0.1", "not a special-purpose one", address("127.0.0.1")),
                row(P + "shims.mynet.address", "224.0.0.1", "not a special-purpose one", address("224.0.0.1")),
                row(P + "shims.mynet.address", "169.254.0.7", "not a special-purpose one", address("169.254.0.7")),
                row(P + "shims.mynet.address", "-batch", "expected an IPv4 address literal", address("-batch")),
                row(P + "shims.mynet.address6", "fe80::1%eth0", "expected an IPv6 address literal", address6("fe80::1%eth0")),
                row(P + "shims.mynet.address6", "198.51.100.7", "expected an IPv6 address literal", address6("198.51.100.7")),
                row(P + "shims.mynet.address6", "fe80::1", "not a special-purpose one", address6("fe80::1")),
                row(P + "shims.mynet.address6", "::1", "not a special-purpose one", address6("::1")),
                row(P + "shims.mynet.address6", "localhost", "host names are not resolved", address6("localhost")),
                row(P + "shims.mynet.static-routes", "0.0.0.0/0", "a default route would send all traffic", route("0.0.0.0/0")),
                row(P + "shims.mynet.static-routes", "198.51.100.7/24", "host bits set", route("198.51.100.7/24")),
                row(P + "shims.mynet.static-routes", "198.51.100.0/33", "outside 0-32", route("198.51.100.0/33")),
                row(P + "shims.mynet.static-routes", "example.org/24", "host names are not resolved", route("example.org/24")),
                row(P + "shims.mynet.static-routes", "1.2.3.4 via 5.6.7.8", "expected an IPv4 or IPv6 address or prefix",
                        route("1.2.3.4 via 5.6.7.8")),
                row(P + "shims.mynet.static-routes", "198.51.100.0/x", "is not a prefix length", route("198.51.100.0/x")),
                row(P + "shims.\"-batch\"", "", "the shim name '-batch' is not a usable interface name", shimNamed("-batch")),
                row(P + "shims.\"dev\"", "", "'dev' is reserved", shimNamed("dev")),
                row(P + "shims.\"my net\"", "", "is not a usable interface name", shimNamed("my net")),
                row(P + "shims.\"a-name-of-20-bytes\"", "", "longer than 15 bytes", shimNamed("a-name-of-20-bytes")),
                row(P + "reconcile.interval", "PT0S", "expected a duration of at least 1s", config -> config.interval = Duration.ZERO),
                row(P + "reconcile.interval", "PT-5S", "expected a duration of at least 1s",
                        config -> config.interval = Duration.ofSeconds(-5)),
                row(P + "reconcile.interval", "PT0.5S", "the Quarkus Scheduler runs no finer",
                        config -> config.interval = Duration.ofMillis(500)),
                row(P + "lock-directory", "run/macvlan-shim", "not an absolute path",
                        config -> config.lockDirectory = "run/macvlan-shim"),
                row(P + "lock-directory", "/run/../etc", "may hold only", config -> config.lockDirectory = "/run/../etc"),
                row(P + "lock-directory", "/run/x y", "may hold only", config -> config.lockDirectory = "/run/x y"),
                row(P + "shims.mynet.mac", "02:aa:bb:cc:dd", "is not a MAC address", mac("02:aa:bb:cc:dd")),
                row(P + "shims.mynet.mac", "01:00:5e:00:00:01", "expected a unicast MAC", mac("01:00:5e:00:00:01")),
                row(P + "shims.mynet.mac", "00:00:00:00:00:00", "all zero", mac("00:00:00:00:00:00")),
                row(P + "shims.mynet.mac", "02:aa:bb:cc:dd:ee up", "is not a MAC address", mac("02:aa:bb:cc:dd:ee up")),
                row(P + "routes.protocol", "0", "expected a route protocol number from 5 to 255", config -> config.protocol = 0),
                row(P + "routes.protocol", "256", "expected a route protocol number from 5 to 255", config -> config.protocol = 256),
                row(P + "routes.protocol", "3", "belongs to the kernel or a well-known routing daemon", config -> config.protocol = 3),
                row(P + "routes.protocol", "186", "belongs to the kernel or a well-known routing daemon",
                        config -> config.protocol = 186),
                row(P + "netns", "../etc", "expected a network namespace name", config -> config.netns = Optional.of("../etc")),
                row(P + "netns", "-n", "expected a network namespace name", config -> config.netns = Optional.of("-n")),
                row(P + "netns", "a b", "expected a network namespace name", config -> config.netns = Optional.of("a b")),
                row(P + "lxd.socket", "unix.socket", "not an absolute path", config -> config.socket = "unix.socket"),
                row(P + "lxd.socket", "/var/lib/lxd/../x", "may hold only", config -> config.socket = "/var/lib/lxd/../x"),
                row(P + "lxd.socket", "/run/x;rm -rf /", "may hold only", config -> config.socket = "/run/x;rm -rf /"),
                row(P + "lxd.socket", "/run/lxd\\nx", "may hold only", config -> config.socket = "/run/lxd\nx"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    void aBadValueIsRefusedNamingKeyValueAndExpectation(String key, String shownValue, String expectation,
            Consumer<TestConfig> bad) {
        TestConfig config = new TestConfig();
        bad.accept(config);
        assertThatThrownBy(() -> ConfigValidator.validate(config)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(shownValue.isEmpty() ? key : key + "=" + shownValue)
                .hasMessageContaining(expectation)
                .hasMessageNotContaining("\n");
    }

    @Test
    void theTableCoversEveryKeyWithAtLeastThirtyRows() {
        List<String> keys = badValues().map(arguments -> (String) arguments.get()[0]).toList();
        assertThat(keys).hasSizeGreaterThanOrEqualTo(30);
        assertThat(keys).anyMatch(k -> k.endsWith(".parent")).anyMatch(k -> k.endsWith(".address"))
                .anyMatch(k -> k.endsWith(".address6")).anyMatch(k -> k.endsWith(".static-routes"))
                .anyMatch(k -> k.startsWith(P + "shims.\"")).anyMatch(k -> k.endsWith("reconcile.interval"))
                .anyMatch(k -> k.endsWith("routes.protocol")).anyMatch(k -> k.endsWith("netns"))
                .anyMatch(k -> k.endsWith("lxd.socket"));
    }

    @Test
    void theValidBaseConfigurationIsAccepted() {
        assertThat(ConfigValidator.validate(new TestConfig()).shims()).hasSize(1);
    }
}
