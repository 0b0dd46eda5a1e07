package io.github.macvlanshim.runtime.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ip} (and, for settings ip cannot make, other tools inside the same namespace) from argument
 * lists, never through a shell. With a namespace set, {@code ip} runs as {@code ip -n NAME ...} and other
 * tools as {@code nsenter --net=/run/netns/NAME ...}. Every run has a deadline, so a wedged tool cannot stall the engine.
 */
public final class IpCommand {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** What a finished run printed. */
    public record Output(String stdout, String stderr) {
    }

    private final Optional<String> netns;
    private final Duration timeout;

    public IpCommand(Optional<String> netns, Duration timeout) {
        netns.ifPresent(IpCommand::requireNetnsName);
        this.netns = netns;
        this.timeout = timeout;
    }

    public IpCommand(Optional<String> netns) {
        this(netns, DEFAULT_TIMEOUT);
    }

    public Optional<String> netns() {
        return netns;
    }

    /** {@code ip [-n NS] ARGS...}, fed {@code stdin}; throws naming the command, exit code and stderr on failure. */
    public Output ip(List<String> args, String stdin) throws HostNetworkException {
        return run(ipCommandLine(args), stdin);
    }

    /** The full command line {@code ip [-n NS] ARGS...}, for tools that keep the process (the monitor). */
    public List<String> ipCommandLine(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add("ip");
        netns.ifPresent(name -> {
            command.add("-n");
            command.add(name);
        });
        command.addAll(args);
        return command;
    }

    /**
     * {@code [nsenter --net=/run/netns/NS] COMMAND...}: a tool that has no namespace option of its own. Only the
     * network namespace is entered, which is all {@code /proc/sys/net} follows; {@code ip netns exec} would also
     * make a mount namespace and remount {@code /sys} for it (a sysctl: 3.0 vs 3.9 ms on an idle machine, 3.0 vs
     * 9.5 ms on a busy one). Inside nsenter, the command goes by the path {@link ToolPaths} gives it, as ip does:
     * nsenter would search {@code PATH} for it at every run.
     */
    public Output inNamespace(List<String> command, String stdin) throws HostNetworkException {
        if (netns.isEmpty()) {
            return run(command, stdin);
        }
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + NetworkNamespace.NAMED.resolve(netns.get())));
        full.addAll(ToolPaths.resolved(command));
        return run(full, stdin);
    }

    /**
     * Starts {@code ip [-n NS] ARGS...}, fed {@code stdin}, and returns at once: two reads of the kernel can run side by
     * side ({@link IpRoute2HostNetwork#read}). {@link Running#finish} waits for it as {@link #ip} does.
     */
    public Running start(List<String> args, String stdin) throws HostNetworkException {
        return launch(ipCommandLine(args), stdin);
    }

    /** A command started by {@link #start}: finish it, or close it to kill it (a no-op once it finished). */
    public final class Running implements AutoCloseable {

        private final String line;
        private final Process process;
        private final long deadline;
        private final Capture stdout;
        private final Capture stderr;

        private Running(String line, Process process, long deadline, Capture stdout, Capture stderr) {
            this.line = line;
            this.process = process;
            this.deadline = deadline;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        /**
         * Waits for the command until its deadline (the timeout, counted from its start) and returns what it printed;
         * throws naming the command, exit code and stderr when it failed, and kills it when it is late.
         */
        public Output finish() throws HostNetworkException {
            try {
                long left = deadline - System.nanoTime();
                if (!process.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
                    process.destroyForcibly();
                    throw new HostNetworkException("'" + line + "' did not finish within " + timeout.toMillis() + " ms");
                }
                Output output = new Output(stdout.text(), stderr.text());
                if (process.exitValue() != 0) {
                    throw new IpCommandException("'" + line + "' exited with " + process.exitValue() + ": "
                            + oneLine(output.stderr()), process.exitValue(), output.stderr());
                }
                return output;
            } catch (IOException e) {
                throw new HostNetworkException("cannot read what '" + line + "' printed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new HostNetworkException("interrupted while running '" + line + "'", e);
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            stdout.close();
            stderr.close();
        }
    }

    private Output run(List<String> command, String stdin) throws HostNetworkException {
        try (Running running = launch(command, stdin)) {
            return running.finish();
        }
    }

    /**
     * Starts {@code command} with {@code stdin} as its standard input, written in full to a private temporary file
     * before the command starts. Never a pipe: if this process died while writing one (SIGKILL, OOM), {@code ip
     * -batch} would read a truncated last line and run it, e.g. {@code route add 2001:db8::1508/128 dev mynet
     * proto 7}: a route that is not ours, left for good. With a file, the command sees all of the input or none.
     * What it prints goes to files too ({@link Capture}), so no thread waits on a pipe (a pipe needs a reader per
     * stream: two threads started and ended at every run).
     */
    private Running launch(List<String> command, String stdin) throws HostNetworkException {
        String line = String.join(" ", command);
        Path input = null;
        Capture stdout = null;
        Capture stderr = null;
        Running running = null;
        try {
            input = input(line, stdin);
            stdout = capture(line, ".out");
            stderr = capture(line, ".err");
            long started = System.nanoTime();
            Process process;
            try {
                process = new ProcessBuilder(ToolPaths.resolved(command)).redirectInput(input.toFile())
                        .redirectOutput(stdout.path().toFile()).redirectError(stderr.path().toFile()).start();
            } catch (IOException e) {
                ToolPaths.forget(command.get(0));
                throw new HostNetworkException("cannot start '" + line + "': " + e.getMessage(), e);
            }
            running = new Running(line, process, started + timeout.toNanos(), stdout, stderr);
            return running;
        } finally {
            // Started or not, the names are not needed: the child holds its own descriptors, the captures theirs.
            if (input != null) {
                deleteQuietly(input);
            }
            settle(stdout, running != null);
            settle(stderr, running != null);
        }
    }

    /** A capture's name goes either way; its descriptor stays for the command's output only if it started. */
    private static void settle(Capture capture, boolean started) {
        if (capture == null) {
            return;
        }
        if (started) {
            capture.unlink();
        } else {
            capture.close();
        }
    }

    /** A private temporary file holding {@code stdin}, for the command to read. */
    private static Path input(String line, String stdin) throws HostNetworkException {
        try {
            Path input = Files.createTempFile("macvlan-shim-ip-", ".in");
            try {
                Files.writeString(input, stdin, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                deleteQuietly(input);
                throw e;
            }
            return input;
        } catch (IOException | UnsupportedOperationException e) {
            throw new HostNetworkException("cannot write the input of '" + line + "' to a temporary file in "
                    + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
        }
    }

    private static Capture capture(String line, String suffix) throws HostNetworkException {
        try {
            return Capture.create(suffix);
        } catch (IOException e) {
            throw new HostNetworkException("cannot make a temporary file for the output of '" + line + "' in "
                    + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
        }
    }

    /**
     * A private temporary file a command prints to, read back through a descriptor opened before the command
     * starts: its name can go as soon as the command has its own descriptor, and nothing is left behind.
     */
    private record Capture(Path path, FileChannel channel) implements AutoCloseable {

        static Capture create(String suffix) throws IOException {
            Path path = Files.createTempFile("macvlan-shim-ip-", suffix);
            try {
                return new Capture(path, FileChannel.open(path, StandardOpenOption.READ));
            } catch (IOException e) {
                deleteQuietly(path);
                throw e;
            }
        }

        /** All the command printed; bytes that are not UTF-8 become U+FFFD, as a pipe's reader made them. */
        String text() throws IOException {
            ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(channel.size()));
            while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) >= 0) {
                // Until the whole file is read.
            }
            return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
        }

        void unlink() {
            deleteQuietly(path);
        }

        @Override
        public void close() {
            unlink();
            try {
                channel.close();
            } catch (IOException e) {
                // A read descriptor: nothing was written through it.
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover temporary file harms nothing.
        }
    }

    static String oneLine(String text) {
        return text.strip().replace('\n', ' ').replaceAll("\\s+", " ");
    }

    /** ip keeps namespaces as files under /run/netns: a name must be one plain path element. */
    private static void requireNetnsName(String name) {
        if (!name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}") || name.equals("..")) {
            throw new IllegalArgumentException("network namespace name '" + name
                    + "' is not accepted: expected 1-64 of letters, digits, '_', '.', '-', not starting with '.' or '-'");
        }
    }
}
