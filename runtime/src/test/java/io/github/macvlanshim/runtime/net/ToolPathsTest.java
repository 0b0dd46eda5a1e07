package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolPathsTest {

    @TempDir
    Path dir;

    @Test
    void theFirstExecutableFileOnThePathIsFoundSkippingDirectoriesPlainFilesAndRelativeEntries() throws IOException {
        Path notExecutable = Files.createDirectories(dir.resolve("a"));
        Files.writeString(notExecutable.resolve("ip"), "");
        Path aDirectory = Files.createDirectories(dir.resolve("b/ip")).getParent();
        Path first = executable(dir.resolve("c"));
        executable(dir.resolve("d"));
        String path = String.join(":", "", "relative", notExecutable.toString(), aDirectory.toString(),
                first.getParent().toString(), dir.resolve("d").toString());

        assertThat(ToolPaths.find("ip", path)).contains(first);
    }

    @Test
    void nothingIsFoundWithoutAPathOrWhenNoEntryHasTheTool() throws IOException {
        executable(dir.resolve("c"));

        assertThat(ToolPaths.find("ip", null)).isEmpty();
        assertThat(ToolPaths.find("ip", "")).isEmpty();
        assertThat(ToolPaths.find("nsenter", dir.resolve("c").toString())).isEmpty();
    }

    @Test
    void aNameWithASlashIsKeptAndAToolNotFoundKeepsItsBareName() {
        assertThat(ToolPaths.resolve("/usr/sbin/ip")).isEqualTo("/usr/sbin/ip");
        assertThat(ToolPaths.resolve("./ip")).isEqualTo("./ip");
        assertThat(ToolPaths.resolve("macvlan-shim-no-such-tool")).isEqualTo("macvlan-shim-no-such-tool");
    }

    @Test
    void aToolOnThisMachinesPathResolvesToAnAbsoluteExecutable() {
        Path sh = Path.of(ToolPaths.resolve("sh"));

        assertThat(sh).isAbsolute();
        assertThat(Files.isExecutable(sh)).isTrue();
    }

    @Test
    void aCommandHasOnlyItsFirstWordResolvedAndTheGivenListIsLeftAsItWas() {
        List<String> command = List.of("sh", "-c", "sh");

        List<String> resolved = ToolPaths.resolved(command);

        assertThat(resolved).hasSize(3).endsWith("-c", "sh");
        assertThat(resolved.get(0)).startsWith("/").endsWith("/sh");
        assertThat(command).containsExactly("sh", "-c", "sh");
    }

    private static Path executable(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path tool = Files.writeString(directory.resolve("ip"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        return tool;
    }
}
