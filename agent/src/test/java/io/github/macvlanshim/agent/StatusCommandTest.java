package io.github.macvlanshim.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/** Where the command asks, and how it prints what it gets: pure, no agent needed. */
class StatusCommandTest {

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path file = dir.resolve("agent.properties");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void asksWhereTheAgentsFileSaysAndFallsBackToTheAgentsDefaults() throws IOException {
        assertThat(StatusCommand.statusUri(dir.resolve("absent.properties")))
                .hasToString("http://127.0.0.1:9000/q/macvlan-shim/status");
        assertThat(StatusCommand.statusUri(file("quarkus.management.port=9100\nquarkus.management.host=0.0.0.0\n")))
                .hasToString("http://127.0.0.1:9100/q/macvlan-shim/status");
        assertThat(StatusCommand.statusUri(file("quarkus.management.host=::1\nquarkus.management.root-path=/mgmt\n")))
                .hasToString("http://[::1]:9000/mgmt/macvlan-shim/status");
    }

    @Test
    void aBadPortIsOneMessageNamingKeyValueAndExpectation() throws IOException {
        Path file = file("quarkus.management.port=nine\n");
        assertThatThrownBy(() -> StatusCommand.statusUri(file)).hasMessage("quarkus.management.port=nine in " + file
                + " is not accepted: expected a port number 1-65535");
    }

    @Test
    void theConfigFileIsTheAgentsUnlessTheEnvironmentNamesAnother() {
        assertThat(StatusCommand.configFile(Map.of())).hasToString(AgentConfigSourceFactory.DEFAULT_LOCATION);
        assertThat(StatusCommand.configFile(Map.of("MACVLAN_SHIM_CONFIG", "/srv/a.properties")))
                .hasToString("/srv/a.properties");
    }

    /** A server on loopback that is not an agent of this version: each answer is exit 3 with its own message. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "404 | not found   | answered HTTP 404; expected the agent's status document",
        "200 | <html></html> | did not answer JSON"})
    void anAnswerThatIsNotTheStatusDocumentIsExitThreeNamingWhatCame(int status, String body, String message)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/q/macvlan-shim/status", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            Path file = file("quarkus.management.port=" + server.getAddress().getPort() + "\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = StatusCommand.run(new String[] {"status"}, new PrintStream(out), new PrintStream(err),
                    Map.of("MACVLAN_SHIM_CONFIG", file.toString()));
            assertThat(exit).isEqualTo(StatusCommand.UNREACHABLE);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains(
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/q/macvlan-shim/status").contains(message);
            assertThat(out.size()).isZero();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void unknownArgumentsAreUsageWithExitTwo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new ByteArrayOutputStream());
        assertThat(StatusCommand.run(new String[] {"status", "--yaml"}, out, new PrintStream(err), Map.of()))
                .isEqualTo(StatusCommand.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("usage: macvlan-shim status [--json]");
    }

    @Test
    void hostTextIsPrintedEscapedSoANameCannotForgeALine() throws IOException {
        var doc = new ObjectMapper().readTree("""
                {"version":"1","ready":true,"reasons":[],"lastReconcile":{},"shims":[],"sources":[],"conflicts":[],
                 "routes":[{"destination":"198.51.100.9/32","shim":"mynet","linkdown":false,
                   "instances":[{"source":"lxd","project":"default","instance":"evil\\nNOT READY","nic":"eth0"}]}]}
                """);
        String routes = StatusTables.routes(doc);
        assertThat(routes.lines()).hasSize(2);
        assertThat(routes).doesNotContain("\nNOT READY");
    }
}
