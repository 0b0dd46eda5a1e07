package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a command is given and what comes back of it, through files: and nothing of them is left behind. */
class IpCommandInputTest {

    private List<Path> before;

    @BeforeEach
    void listTemporaryFiles() throws IOException {
        before = temporaryFiles();
    }

    @AfterEach
    void nothingIsLeftInTheTemporaryDirectory() throws IOException {
        assertThat(temporaryFiles()).as("macvlan-shim-ip-* files left in java.io.tmpdir").isEqualTo(before);
    }

    @Test
    void anInputLargerThanAPipeReachesTheCommandWholeAndItsOutputComesBackWhole() throws Exception {
        String input = "route add 2001:db8:100::1/128 dev mynet proto 77\n".repeat(5000);

        IpCommand.Output output = new IpCommand(Optional.empty()).inNamespace(List.of("cat"), input);

        assertThat(output.stdout()).isEqualTo(input);
        assertThat(output.stderr()).isEmpty();
    }

    @Test
    void aFailingCommandIsReportedWithItsExitCodeAndWhatItPrintedOnStderr() {
        assertThatThrownBy(() -> new IpCommand(Optional.empty()).inNamespace(List.of("ls", "/macvlan-shim-no-such-path"), ""))
                .isInstanceOfSatisfying(IpCommandException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(2);
                    assertThat(e.stderr()).contains("/macvlan-shim-no-such-path").contains("No such file");
                })
                .hasMessageStartingWith("'ls /macvlan-shim-no-such-path' exited with 2: ");
    }

    @Test
    void aCommandPastItsDeadlineIsKilledAndNamed() {
        long started = System.nanoTime();

        assertThatThrownBy(() -> new IpCommand(Optional.empty(), Duration.ofMillis(200)).inNamespace(List.of("sleep", "5"), ""))
                .isInstanceOf(HostNetworkException.class)
                .hasMessage("'sleep 5' did not finish within 200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aToolThatCannotBeStartedIsNamed() {
        assertThatThrownBy(() -> new IpCommand(Optional.empty()).inNamespace(List.of("macvlan-shim-no-such-tool"), ""))
                .isInstanceOf(HostNetworkException.class)
                .hasMessageStartingWith("cannot start 'macvlan-shim-no-such-tool': ");
    }

    private static List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(file -> file.getFileName().toString().startsWith("macvlan-shim-ip-")).sorted().toList();
        }
    }
}
