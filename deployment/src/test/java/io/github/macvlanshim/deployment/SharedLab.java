package io.github.macvlanshim.deployment;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.github.macvlanshim.lab.Cmd;
import io.github.macvlanshim.lab.Lab;

/**
 * A {@link Lab} for a {@code QuarkusUnitTest} or {@code QuarkusDevModeTest}. Those load the test class a second
 * time, in the application's class loader, so its static fields run twice: the lab must be made once, before the
 * application's configuration names it, and found again by name from the second copy. The lab lives in the class
 * loader that made it (JUnit's) and its name in a system property, which both copies see. Close it from the test's
 * after-all customizer, which runs in JUnit's class loader.
 */
public final class SharedLab {

    private static final Map<String, Lab> LABS = new ConcurrentHashMap<>();

    private SharedLab() {
    }

    /** The lab host namespace for {@code owner}: made, with {@code setUp} run on it, at the first call. */
    public static String hostNetns(Class<?> owner, Consumer<Lab> setUp) {
        String key = "macvlan-shim.test.lab." + owner.getName();
        String existing = System.getProperty(key);
        if (existing != null) {
            return existing;
        }
        Lab lab = Lab.create();
        try {
            setUp.accept(lab);
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        LABS.put(key, lab);
        System.setProperty(key, lab.hostNetns());
        return lab.hostNetns();
    }

    /** Removes the lab {@link #hostNetns} made for {@code owner}, and everything in it. */
    public static void close(Class<?> owner) {
        String key = "macvlan-shim.test.lab." + owner.getName();
        Lab lab = LABS.remove(key);
        System.clearProperty(key);
        if (lab != null) {
            lab.close();
        }
    }

    /** {@code ip -n NETNS ARGS...}, its output; throws when it fails. */
    public static String ip(String netns, String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-n", netns));
        command.addAll(List.of(args));
        return Cmd.run(command.toArray(String[]::new));
    }

    /** Pings from {@code netns} until an answer comes or {@code within} has passed. */
    public static boolean awaitPing(String netns, String address, Duration within) {
        Instant deadline = Instant.now().plus(within);
        do {
            if (Cmd.exec("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "1", address).succeeded()) {
                return true;
            }
        } while (Instant.now().isBefore(deadline));
        return false;
    }
}
