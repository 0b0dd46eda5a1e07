package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.Lab;

@Tag("lab")
class NetworkMonitorLabTest {

    private Lab lab;

    @BeforeEach
    void createLab() throws HostNetworkException {
        lab = Lab.create();
        new IpRoute2HostNetwork(Optional.of(lab.hostNetns()))
                .apply(List.of(new Change.CreateShim("mynet", "eth0", 1500), new Change.SetUp("mynet")), 77);
    }

    @AfterEach
    void closeLab() {
        lab.close();
    }

    private static List<ProcessHandle> monitorProcesses() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().arguments().map(List::of).filter(a -> a.contains("monitor")).isPresent())
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    @Test
    void reportsALinkGoingDownWithinASecondAndStopsOnClose() throws InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        try (NetworkMonitor monitor = NetworkMonitor.start(Optional.of(lab.hostNetns()), lines::add)) {
            awaitSubscribed(lines);

            lab.ip(lab.hostNetns(), "link", "set", "mynet", "down");
            long start = System.nanoTime();
            String line = lines.poll(1, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(line).as("a line within 1 s").isNotNull().contains("mynet");
            assertThat(millis).isLessThan(1000);
            assertThat(monitorProcesses()).hasSize(1);
        }
        assertThat(monitorProcesses()).as("ip monitor processes after close").isEmpty();
    }

    @Test
    void theCountOfChangesSeenMovesWithEveryLineAndIsMinusOneWhileNothingWatches() throws InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        NetworkMonitor monitor = NetworkMonitor.start(Optional.of(lab.hostNetns()), lines::add);
        try {
            awaitSubscribed(lines);
            long before = monitor.changesSeen();
            assertThat(before).as("watching").isNotNegative();
            Thread.sleep(200);
            assertThat(monitor.changesSeen()).as("nothing happened").isEqualTo(before);

            // A route on an interface that is no shim of ours moves it too.
            lab.ip(lab.hostNetns(), "route", "add", "192.0.2.201/32", "dev", "eth0", "proto", "78");
            assertThat(lines.poll(1, TimeUnit.SECONDS)).isNotNull();
            assertThat(monitor.changesSeen()).isGreaterThan(before);
        } finally {
            monitor.close();
        }
        assertThat(monitor.changesSeen()).as("closed: nothing watches").isEqualTo(-1);
    }

    @Test
    void aMonitorThatCannotRunKeepsRetryingUntilClosed() throws InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        NetworkMonitor monitor = NetworkMonitor.start(Optional.of("msl-does-not-exist"), lines::add);
        Thread.sleep(400);
        monitor.close();
        assertThat(monitorProcesses()).isEmpty();
        assertThat(lines).isEmpty();
    }

    /** ip prints nothing once subscribed; a throw-away route change that shows up proves it listens. */
    private void awaitSubscribed(BlockingQueue<String> lines) throws InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            lab.ip(lab.hostNetns(), "route", "replace", "192.0.2.200/32", "dev", "eth0", "proto", "78");
            lab.ip(lab.hostNetns(), "route", "del", "192.0.2.200/32", "dev", "eth0", "proto", "78");
            if (lines.poll(100, TimeUnit.MILLISECONDS) != null) {
                Thread.sleep(100);
                lines.clear();
                return;
            }
        }
        throw new AssertionError("ip monitor never reported a route change");
    }
}
