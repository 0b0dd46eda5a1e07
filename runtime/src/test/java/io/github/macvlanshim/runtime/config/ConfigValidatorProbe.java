package io.github.macvlanshim.runtime.config;

import java.util.List;
import java.util.Optional;

/** Runs {@link ConfigValidator} on {@code text} as shim address, address6 and static route, for tests elsewhere. */
public final class ConfigValidatorProbe {

    private ConfigValidatorProbe() {
    }

    /** Throws {@link InvalidConfigException} if any of the three refuses {@code text}; all three must. */
    public static void validateAddresses(String text) {
        int refused = 0;
        List<TestConfig.TestShim> shims = List.of(
                new TestConfig.TestShim(Optional.of("eth0"), Optional.of(text), Optional.empty(), Optional.empty()),
                new TestConfig.TestShim(Optional.of("eth0"), Optional.empty(), Optional.of(text), Optional.empty()),
                new TestConfig.TestShim(Optional.of("eth0"), Optional.empty(), Optional.empty(), Optional.of(List.of(text))));
        for (TestConfig.TestShim shim : shims) {
            TestConfig config = new TestConfig();
            config.shims.put("mynet", shim);
            try {
                ConfigValidator.validate(config);
            } catch (InvalidConfigException e) {
                refused++;
            }
        }
        if (refused == shims.size()) {
            throw new InvalidConfigException("all three refused " + text);
        }
    }
}
