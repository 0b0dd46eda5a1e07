package io.github.macvlanshim.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Markdown report: printed as each part finishes, and written whole to a file at every step. */
final class Report {

    private final Path file;
    private final StringBuilder text = new StringBuilder();

    Report(Path file) {
        this.file = file;
    }

    synchronized void line(String line) {
        text.append(line).append('\n');
        System.out.println(line);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + file, e);
        }
    }

    void lines(String... lines) {
        for (String l : lines) {
            line(l);
        }
    }

    Path file() {
        return file;
    }
}
