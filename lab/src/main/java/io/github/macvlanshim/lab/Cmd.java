package io.github.macvlanshim.lab;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command from an argument list, never through a shell, so no argument is ever re-parsed.
 * Lab failures are programming or environment errors, so they surface as unchecked exceptions.
 */
public final class Cmd {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final File NULL = new File("/dev/null");

    /** What a finished command left behind. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {

        public boolean succeeded() {
            return exitCode == 0;
        }

        /** The command line as one string, for messages only. */
        public String commandLine() {
            return String.join(" ", command);
        }
    }

    private Cmd() {
    }

    /** Runs {@code command} and returns whatever came of it; throws only when it could not run or timed out. */
    public static Result exec(Duration timeout, List<String> command) {
        return exec(timeout, Map.of(), command);
    }

    /**
     * Runs {@code command} with {@code env} added to this process's environment. Its stdin is /dev/null, not an
     * empty pipe: some tools ({@code lxc launch}) read configuration from stdin whenever it is not a terminal.
     */
    public static Result exec(Duration timeout, Map<String, String> env, List<String> command) {
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(NULL));
            builder.environment().putAll(env);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start '" + String.join(" ", command) + "'", e);
        }
        try {
            // Drained in parallel: a child that fills one pipe while we block on the other would hang.
            CompletableFuture<String> stdout = drain(process.getInputStream());
            CompletableFuture<String> stderr = drain(process.getErrorStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish within " + timeout);
            }
            return new Result(List.copyOf(command), process.exitValue(), stdout.join(), stderr.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running '" + String.join(" ", command) + "'", e);
        }
    }

    public static Result exec(String... command) {
        return exec(DEFAULT_TIMEOUT, List.of(command));
    }

    /** Runs {@code command} and returns its stdout; throws with the command line, exit code and stderr if it failed. */
    public static String run(String... command) {
        return run(DEFAULT_TIMEOUT, Map.of(), List.of(command));
    }

    /** Like {@link #run(String...)}, with a timeout and environment of its own. */
    public static String run(Duration timeout, Map<String, String> env, List<String> command) {
        Result result = exec(timeout, env, command);
        if (!result.succeeded()) {
            throw new IllegalStateException("'" + result.commandLine() + "' exited with " + result.exitCode()
                    + ": " + result.stderr().strip());
        }
        return result.stdout();
    }

    /** Whether {@code command} exited with 0. */
    public static boolean ok(String... command) {
        return exec(command).succeeded();
    }

    /** A thread of its own per stream: a shared pool could starve while both readers block. */
    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                stream.transferTo(bytes);
                text.complete(bytes.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(e);
            }
        }, "lab-cmd-reader");
        reader.setDaemon(true);
        reader.start();
        return text;
    }
}
