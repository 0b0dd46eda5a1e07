package io.github.macvlanshim.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.macvlanshim.runtime.net.UntrustedText;

/**
 * {@code macvlan-shim status [--json]} and {@code macvlan-shim routes}: the running agent's status document,
 * fetched from its management interface, as aligned tables or as the JSON itself. The port, host and root path
 * come from the agent's own configuration file, the one the agent reads ({@value
 * AgentConfigSourceFactory#DEFAULT_LOCATION}, or {@code MACVLAN_SHIM_CONFIG}), so the command and the agent
 * always agree; it works the same whether the agent runs on a JVM or natively. Text from the host (instance
 * names, errors) is printed escaped: a name cannot move the cursor or forge a line.
 */
final class StatusCommand {

    static final int READY = 0;
    static final int NOT_READY = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;

    static final String USAGE_TEXT = """
            usage: macvlan-shim status [--json]   the agent's state; exit 0 ready (converged), 1 not ready
                   macvlan-shim routes            every owned route and the instances it serves
            Reads the management port from %s (MACVLAN_SHIM_CONFIG names another file).
            Exit 2: bad usage or configuration; 3: the agent does not answer.""";

    private static final int CONNECT_TIMEOUT_MILLIS = 3_000;
    private static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatusCommand() {
    }

    static boolean handles(String[] args) {
        return args.length > 0 && List.of("status", "routes", "help", "--help", "-h").contains(args[0]);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        String command = args[0];
        boolean json = args.length == 2 && args[1].equals("--json") && command.equals("status");
        if (!command.equals("status") && !command.equals("routes") || args.length > (json ? 2 : 1)) {
            (command.startsWith("-") || command.equals("help") ? out : err).println(usage());
            return command.equals("help") || command.startsWith("-") ? READY : USAGE;
        }
        URI uri;
        try {
            uri = statusUri(configFile(env));
        } catch (IllegalArgumentException e) {
            err.println("macvlan-shim: " + e.getMessage());
            return USAGE;
        }
        String body;
        try {
            body = fetch(uri);
        } catch (ConnectException e) {
            err.println("macvlan-shim: the agent does not answer at " + uri
                    + " (is it running? systemctl status macvlan-shim)");
            return UNREACHABLE;
        } catch (UnexpectedStatus e) {
            err.println("macvlan-shim: " + uri + " answered HTTP " + e.status
                    + "; expected the agent's status document (is the agent older than this command?)");
            return UNREACHABLE;
        } catch (IOException e) {
            err.println("macvlan-shim: cannot read " + uri + ": " + e);
            return UNREACHABLE;
        }
        JsonNode doc;
        try {
            doc = MAPPER.readTree(body);
        } catch (IOException e) {
            err.println("macvlan-shim: " + uri + " did not answer JSON: " + e.getMessage());
            return UNREACHABLE;
        }
        if (json) {
            out.print(body.endsWith("\n") ? body : body + "\n");
        } else if (command.equals("status")) {
            out.print(StatusTables.status(doc));
        } else {
            out.print(StatusTables.routes(doc));
            return READY;
        }
        return doc.path("ready").asBoolean(false) ? READY : NOT_READY;
    }

    /**
     * One GET of the status document. {@code HttpURLConnection}, not {@code java.net.http}: the native executable
     * has the JDK's http URL handler anyway (Quarkus enables the protocol), and the other client would add its whole
     * module to the image for one local request (docs/native.md).
     */
    private static String fetch(URI uri) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
        connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        connection.setReadTimeout(READ_TIMEOUT_MILLIS);
        connection.setUseCaches(false);
        try {
            int status = connection.getResponseCode();
            if (status != 200) {
                throw new UnexpectedStatus(status);
            }
            try (InputStream in = connection.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            connection.disconnect();
        }
    }

    /** The agent answered, but not with its status document. */
    private static final class UnexpectedStatus extends IOException {

        final int status;

        UnexpectedStatus(int status) {
            super("HTTP " + status);
            this.status = status;
        }
    }

    static String usage() {
        return USAGE_TEXT.formatted(AgentConfigSourceFactory.DEFAULT_LOCATION);
    }

    static Path configFile(Map<String, String> env) {
        String chosen = env.getOrDefault("MACVLAN_SHIM_CONFIG", "");
        return Path.of(chosen.isBlank() ? AgentConfigSourceFactory.DEFAULT_LOCATION : chosen.strip());
    }

    /**
     * The status document's address from the agent's file, falling back to the agent's defaults for what it
     * leaves out (the agent's application.properties: 127.0.0.1, 9000, /q). A wildcard host is asked on loopback.
     */
    static URI statusUri(Path file) {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
            }
        }
        String portText = properties.getProperty("quarkus.management.port", "9000").strip();
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("quarkus.management.port=" + portText + " in " + file
                    + " is not accepted: expected a port number 1-65535");
        }
        String host = properties.getProperty("quarkus.management.host", "127.0.0.1").strip();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        String root = properties.getProperty("quarkus.management.root-path", "/q").strip();
        root = (root.startsWith("/") ? "" : "/") + root + (root.endsWith("/") ? "" : "/");
        try {
            return URI.create("http://" + host + ":" + port + root + "macvlan-shim/status");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("quarkus.management.host=" + host + " or root-path=" + root + " in "
                    + file + " is not accepted: expected a host name or address literal and a path");
        }
    }

    /** Aligned columns: every cell escaped, each column as wide as its widest cell. */
    static final class Table {

        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        Table row(Object... cells) {
            String[] text = new String[cells.length];
            for (int i = 0; i < cells.length; i++) {
                text[i] = UntrustedText.escape(String.valueOf(cells[i]));
            }
            rows.add(text);
            return this;
        }

        boolean isEmpty() {
            return rows.size() == 1;
        }

        String render() {
            int columns = rows.get(0).length;
            int[] widths = new int[columns];
            rows.forEach(row -> {
                for (int i = 0; i < columns; i++) {
                    widths[i] = Math.max(widths[i], row[i].length());
                }
            });
            StringBuilder text = new StringBuilder();
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < columns; i++) {
                    line.append(i == columns - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
                }
                text.append(line.toString().stripTrailing()).append('\n');
            }
            return text.toString();
        }
    }
}
