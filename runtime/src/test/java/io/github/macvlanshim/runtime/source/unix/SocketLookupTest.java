package io.github.macvlanshim.runtime.source.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.macvlanshim.runtime.source.InstanceSource.Expectation;
import io.github.macvlanshim.runtime.source.SourceAbsentException;

/** What both the LXD/Incus and the Docker/Podman source rely on to find their daemon's socket. */
class SocketLookupTest {

    /** Opened clients, in order; a client only notes whether it was closed. */
    private final List<FakeClient> opened = new ArrayList<>();

    private SocketLookup<FakeClient> lookup(SocketLookup.Places places) {
        return new SocketLookup<>("Test", places, socket -> {
            FakeClient client = new FakeClient(socket);
            opened.add(client);
            return client;
        });
    }

    @Test
    void noPlaceThatExistsIsAnAbsentDaemonNamingTheOnePlaceOrAllOfThem(@TempDir Path dir) {
        Path one = dir.resolve("unix.socket");
        Path two = dir.resolve("docker.sock");

        assertThatThrownBy(() -> lookup(SocketLookup.Places.configured(one)).client())
                .isExactlyInstanceOf(SourceAbsentException.class).hasMessage("no API socket at " + one);
        assertThatThrownBy(() -> lookup(SocketLookup.Places.detected(List.of(one, two))).client())
                .isExactlyInstanceOf(SourceAbsentException.class)
                .hasMessage("no API socket at [" + one + ", " + two + "]");
        assertThat(opened).isEmpty();
    }

    @Test
    void theFirstPlaceThatExistsIsUsedAndItsClientKeptWhileItExists(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.sock");
        Path second = Files.createFile(dir.resolve("second.sock"));
        SocketLookup<FakeClient> lookup = lookup(SocketLookup.Places.detected(List.of(first, second)));

        FakeClient client = lookup.client();
        Files.createFile(first);

        assertThat(client.socket()).isEqualTo(second);
        assertThat(lookup.client()).as("a socket earlier in the list does not displace the one in use")
                .isSameAs(client);
        assertThat(lookup.inUse()).contains(second);
        assertThat(opened).hasSize(1);
    }

    @Test
    void aSocketThatGoesIsLookedForAgainAndTheOldClientClosed(@TempDir Path dir) throws Exception {
        Path first = Files.createFile(dir.resolve("first.sock"));
        Path second = Files.createFile(dir.resolve("second.sock"));
        SocketLookup<FakeClient> lookup = lookup(SocketLookup.Places.detected(List.of(first, second)));
        FakeClient before = lookup.client();

        Files.delete(first);
        FakeClient after = lookup.client();

        assertThat(after.socket()).isEqualTo(second);
        assertThat(before.closed).isTrue();
        assertThat(after.closed).isFalse();
    }

    @Test
    void aDaemonThatWasAbsentIsFoundOnceItsSocketAppears(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("unix.socket");
        SocketLookup<FakeClient> lookup = lookup(SocketLookup.Places.configured(socket));
        assertThatThrownBy(lookup::client).isInstanceOf(SourceAbsentException.class);
        assertThat(lookup.inUse()).isEmpty();

        Files.createFile(socket);

        assertThat(lookup.client().socket()).isEqualTo(socket);
    }

    @Test
    void closeClosesTheClientInUse(@TempDir Path dir) throws IOException, SourceAbsentException {
        SocketLookup<FakeClient> lookup = lookup(SocketLookup.Places.configured(Files.createFile(dir.resolve("s"))));
        lookup.close();
        FakeClient client = lookup.client();

        lookup.close();

        assertThat(client.closed).isTrue();
    }

    @Test
    void aConfiguredSocketIsExpectedAndTheKnownPlacesAreDetectedNeverEmpty() {
        assertThat(SocketLookup.Places.configured(Path.of("/run/docker.sock")).expectation())
                .isEqualTo(Expectation.CONFIGURED);
        assertThat(SocketLookup.Places.detected(List.of(Path.of("/run/docker.sock"))).expectation())
                .isEqualTo(Expectation.DETECTED);
        assertThatThrownBy(() -> SocketLookup.Places.detected(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static final class FakeClient implements SocketLookup.Client {

        private final Path socket;
        private boolean closed;

        FakeClient(Path socket) {
            this.socket = socket;
        }

        @Override
        public Path socket() {
            return socket;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
