package io.github.macvlanshim.runtime.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link MacvlanShimConfig} built in code: one valid shim "mynet" on eth0 and the defaults, changed per test. */
final class TestConfig implements MacvlanShimConfig {

    record TestShim(Optional<String> parent, Optional<String> address, Optional<String> address6,
            Optional<List<String>> staticRoutes, Optional<String> mac) implements Shim {

        TestShim(Optional<String> parent, Optional<String> address, Optional<String> address6,
                Optional<List<String>> staticRoutes) {
            this(parent, address, address6, staticRoutes, Optional.empty());
        }
    }

    final Map<String, Shim> shims = new LinkedHashMap<>(Map.of("mynet", shim("eth0")));
    Duration interval = Duration.ofSeconds(30);
    int protocol = DEFAULT_PROTOCOL;
    Optional<String> netns = Optional.empty();
    String socket = "auto";
    String lockDirectory = DEFAULT_LOCK_DIRECTORY;
    Optional<String> stateFile = Optional.empty();

    static TestShim shim(String parent) {
        return new TestShim(Optional.ofNullable(parent), Optional.empty(), Optional.empty(), Optional.empty());
    }

    @Override
    public Map<String, Shim> shims() {
        return shims;
    }

    @Override
    public Reconcile reconcile() {
        return () -> interval;
    }

    @Override
    public Routes routes() {
        return () -> protocol;
    }

    @Override
    public OnStop onStop() {
        return OnStop.KEEP;
    }

    @Override
    public boolean dryRun() {
        return false;
    }

    @Override
    public Optional<String> netns() {
        return netns;
    }

    @Override
    public Lxd lxd() {
        return () -> socket;
    }

    @Override
    public String lockDirectory() {
        return lockDirectory;
    }

    @Override
    public Docker docker() {
        return () -> "auto";
    }

    @Override
    public Optional<String> stateFile() {
        return stateFile;
    }

    @Override
    public Test test() {
        return () -> false;
    }
}
