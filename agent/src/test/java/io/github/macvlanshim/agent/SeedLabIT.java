package io.github.macvlanshim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.macvlanshim.lab.SeedLab;

/**
 * The README's first command, end to end: three real LXD hosts with DHCP containers (and a real Docker engine with
 * a container beside LXD's on one of them), the packaged agent on each.
 * The same {@link SeedLab} as {@code ./demo}; it fails if any pair is reachable or blocked other than expected.
 */
@Tag("lab")
class SeedLabIT {

    @Test
    void everyHostReachesItsOwnContainersOnlyWithTheAgentAndADeletedContainerLosesItsRouteOnItsHostOnly() {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertThat(jar).isRegularFile();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        boolean passed;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            passed = SeedLab.run(jar, new PrintStream(new TeeStream(out, System.out), true, StandardCharsets.UTF_8));
        }
        String shown = output.toString(StandardCharsets.UTF_8);
        assertThat(passed).as("seed lab result; its output:%n%s", shown).isTrue();
        assertThat(shown).contains("== With one agent per host: everyone reaches everyone",
                "the one to", "is gone",
                "d31  on lxd3: 198.51.100.231, 2001:db8:100::231 (Docker)",
                "== lxd3's agent serves LXD and Docker instances through one shim", "\"source.docker.daemon\": \"Docker 20.10.",
                "route added: 198.51.100.231/32 via shim mynet src 198.51.100.63 for docker d31", "\"shim.mynet.state\": \"ok\"", "macvlan_shim_routes{shim=\"mynet\"}");
        assertThat(Files.exists(jar)).isTrue();
    }

    /** Writes to two streams: the report keeps the output, the console shows it as it comes. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
