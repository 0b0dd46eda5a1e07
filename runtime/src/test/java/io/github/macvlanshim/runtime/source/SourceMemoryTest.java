package io.github.macvlanshim.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.macvlanshim.runtime.net.IpPrefix;

class SourceMemoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Endpoint C1 = new Endpoint("lxd", "default", "c1", "eth0", "eth0",
            IpPrefix.parse("198.51.100.201"));
    private static final Endpoint C1_V6 = new Endpoint("lxd", "default", "c1", "eth0", "eth0",
            IpPrefix.parse("2001:db8:100::201"));
    private static final Endpoint STATIC = new Endpoint("static", "", "mynet", "", "eth0",
            IpPrefix.parse("203.0.113.0/28"));

    @TempDir
    Path dir;

    @Test
    void whatIsSavedIsLoadedByTheNextStartAndTheFileIsReplacedWhole() throws IOException {
        Path file = dir.resolve("state/sources.json");
        SourceMemory.at(file).save(Map.of("lxd", List.of(C1, C1_V6), "static", List.of(STATIC)));

        assertThat(SourceMemory.at(file).load()).isEqualTo(Map.of("lxd", List.of(C1, C1_V6), "static", List.of(STATIC)));
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aMissingFileIsAFirstStart() {
        assertThat(SourceMemory.at(dir.resolve("sources.json")).load()).isEmpty();
    }

    @Test
    void theSameEndpointsAreNotWrittenAgain() throws IOException {
        Path file = dir.resolve("sources.json");
        SourceMemory memory = SourceMemory.at(file);
        memory.save(Map.of("lxd", List.of(C1)));
        Files.writeString(file, "changed behind our back");

        memory.save(Map.of("lxd", List.of(C1)));

        assertThat(Files.readString(file)).isEqualTo("changed behind our back");
    }

    @Test
    void aReadOnlyMemoryLoadsButNeverWrites() throws IOException {
        Path file = dir.resolve("sources.json");
        SourceMemory.at(file).save(Map.of("lxd", List.of(C1)));
        String before = Files.readString(file);
        SourceMemory dryRun = SourceMemory.readOnly(file);

        assertThat(dryRun.load()).containsEntry("lxd", List.of(C1));
        dryRun.save(Map.of("lxd", List.of()));

        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void aFileThatCannotBeWrittenIsLoggedAndRoutingGoesOn() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("plain"), "x");
        SourceMemory memory = SourceMemory.at(notADirectory.resolve("sources.json"));

        memory.save(Map.of("lxd", List.of(C1)));

        assertThat(memory.load()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "   ",
            "{\"version\":1,\"sources\":{\"lxd\":[{\"project\":\"default\",\"instance\":\"c1\"",
            "[1,2,3]",
            "{\"version\":2,\"sources\":{}}",
            "{\"version\":\"1\",\"sources\":{}}",
            "{\"sources\":{}}",
            "{\"version\":1}",
            "{\"version\":1,\"sources\":[]}",
            "{\"version\":1,\"sources\":{\"lxd\":{}}}",
            "{\"version\":1,\"sources\":{\"lxd\":[7]}}",
            "{\"version\":1,\"sources\":{\"../x\":[]}}",
            "{\"version\":1,\"sources\":{\"lxd\":[{\"project\":\"default\",\"instance\":\"c1\",\"nic\":\"eth0\","
                    + "\"parent\":\"eth0\\nlink del eth0\",\"prefix\":\"198.51.100.201/32\"}]}}",
            "{\"version\":1,\"sources\":{\"lxd\":[{\"project\":\"default\",\"instance\":\"c1\",\"nic\":\"eth0\","
                    + "\"parent\":\"eth0\",\"prefix\":\"gateway.example\"}]}}",
            "{\"version\":1,\"sources\":{\"lxd\":[{\"project\":\"default\",\"instance\":\"c1\",\"nic\":\"eth0\","
                    + "\"parent\":\"eth0\",\"prefix\":\"198.51.100.201/24\"}]}}",
            "{\"version\":1,\"sources\":{\"lxd\":[{\"project\":\"default\",\"instance\":\"c 1; rm -rf /\",\"nic\":\"eth0\","
                    + "\"parent\":\"eth0\",\"prefix\":\"198.51.100.201/32\"}]}}",
            "{\"version\":1,\"sources\":{\"lxd\":[{\"project\":\"default\",\"instance\":\"\",\"nic\":\"eth0\","
                    + "\"parent\":\"eth0\",\"prefix\":\"198.51.100.201/32\"}]}}",
            "{\"version\":1,\"sources\":{\"lxd\":[{\"project\":\"default\",\"instance\":\"c1\",\"nic\":\"eth0\","
                    + "\"parent\":\"eth0\"}]}}" })
    void aFileThatIsEmptyTruncatedOfAnotherVersionOrHostileIsAFreshStartNeverACrash(String content) throws IOException {
        Path file = Files.writeString(dir.resolve("sources.json"), content);

        assertThat(SourceMemory.at(file).load()).isEmpty();
    }

    @Test
    void theReasonAFileIsRefusedNamesTheFieldTheValueAndWhatWasExpected() {
        String hostile = "{\"version\":1,\"sources\":{\"lxd\":[{\"project\":\"default\",\"instance\":\"c1\",\"nic\":\"eth0\","
                + "\"parent\":\"eth0\\nlink del eth0\",\"prefix\":\"198.51.100.201/32\"}]}}";

        assertThatThrownBy(() -> SourceMemory.parse(hostile, JSON))
                .hasMessageStartingWith("sources.lxd[0].parent is 'eth0\\nlink del eth0', expected an interface name");
        assertThatThrownBy(() -> SourceMemory.parse("{\"version\":2}", JSON))
                .hasMessage("version is '2', expected 1");
    }

    @Test
    void aFileFarLargerThanAnyRealHostsIsRefusedUnread() throws IOException {
        Path file = dir.resolve("sources.json");
        Files.write(file, new byte[(16 << 20) + 1]);

        assertThat(SourceMemory.at(file).load()).isEmpty();
    }
}
