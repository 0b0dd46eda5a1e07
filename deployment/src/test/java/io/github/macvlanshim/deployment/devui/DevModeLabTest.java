package io.github.macvlanshim.deployment.devui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.macvlanshim.deployment.SharedLab;
import io.quarkus.devui.tests.DevUIJsonRPCTest;
import io.quarkus.test.QuarkusDevModeTest;

/**
 * An application in dev mode ({@link QuarkusDevModeTest}) whose engine works in a lab host namespace, with one
 * container and one foreign route in a wanted address's way. Its Dev UI page is read in a real headless Chromium,
 * its JSON-RPC service called directly, its shim renamed in application.properties; when dev mode ends, nothing
 * the engine made is left. One dev-mode start for all of it: starting is the slow part.
 */
@Tag("lab")
@TestMethodOrder(OrderAnnotation.class)
class DevModeLabTest extends DevUIJsonRPCTest {

    static final String C1 = "198.51.100.253";
    static final String SPARE = "198.51.100.240";
    static final int PORT = freePort();

    /** Made before dev mode starts (its configuration names the lab), so the static initialiser makes it. */
    static final String HOST = SharedLab.hostNetns(DevModeLabTest.class, lab -> {
        lab.addContainer("c1", C1, "2001:db8:100::253");
        lab.ip(lab.hostNetns(), "route", "add", SPARE + "/32", "dev", "eth0", "proto", "static");
    });

    @RegisterExtension
    @Order(1)
    static final AfterDevMode AFTER_DEV_MODE = new AfterDevMode();

    @RegisterExtension
    @Order(2)
    static final QuarkusDevModeTest DEV = new QuarkusDevModeTest()
            .withApplicationRoot(root -> root.addClass(SharedLab.class).addAsResource(new StringAsset(String.join("\n",
                    "quarkus.http.port=" + PORT,
                    "quarkus.macvlan-shim.netns=" + HOST,
                    "quarkus.macvlan-shim.shims.mynet.parent=eth0",
                    "quarkus.macvlan-shim.shims.mynet.static-routes=" + C1 + "," + SPARE,
                    "quarkus.macvlan-shim.lxd.socket=none",
                    "")), "application.properties"));

    DevModeLabTest() {
        super("quarkus-macvlan-shim", "http://localhost:" + PORT);
    }

    @Test
    @Order(1)
    void theJsonRpcServiceGivesTheStatusAndWhatTheEngineWorksOn() throws Exception {
        JsonNode status = executeJsonRPCMethod("getStatus");

        assertThat(status.path("hostNetwork").asText()).as("getStatus gave %s", status).contains("dev mode");
        assertThat(status.path("shims").get(0).path("name").asText()).isEqualTo("mynet");
        assertThat(status.path("shims").get(0).path("state").asText()).isEqualTo("ok");
        assertThat(status.path("routes").toString()).contains(C1 + "/32").doesNotContain(SPARE + "/32");
        assertThat(status.path("conflicts").toString()).contains(SPARE);

        JsonNode after = executeJsonRPCMethod("reconcileNow");
        assertThat(after.path("lastReconcile").path("trigger").asText()).isEqualTo("request");
    }

    @Test
    @Order(2)
    void thePageShowsShimsRoutesConflictsSourcesAndTheLastReconcileAndReconcilesOnRequest() throws Exception {
        try (HeadlessChromium chromium = HeadlessChromium.start()) {
            chromium.navigate("http://localhost:" + PORT + "/q/dev-ui/quarkus-macvlan-shim/shims");
            JsonNode page = await(() -> chromium.evaluate(READ_PAGE), Duration.ofSeconds(60),
                    () -> chromium.evaluate(DESCRIBE_PAGE).asText());

            assertThat(page.path("error").isNull()).as("no error on the page: %s", page).isTrue();
            assertThat(page.path("hostNetwork").asText()).contains("dev mode");
            assertThat(page.path("shim").asText()).contains("mynet", "eth0");
            assertThat(page.path("shimState").asText()).isEqualTo("ok");
            assertThat(page.path("shimRoutes").asText()).isEqualTo("1");
            assertThat(page.path("routes").asText()).contains(C1 + "/32", "mynet", "static");
            assertThat(page.path("conflicts").asText()).contains(SPARE);
            assertThat(page.path("sources").asText()).contains("static", "reachable");
            assertThat(page.path("last").asText()).contains("outcome converged");

            chromium.evaluate("(() => {" + FIND_PAGE + "page.shadowRoot.querySelector('#reconcile-now').click(); return true; })()");
            JsonNode afterClick = await(() -> {
                JsonNode now = chromium.evaluate(READ_PAGE);
                return now != null && now.path("last").asText().contains("trigger request") ? now : null;
            }, Duration.ofSeconds(30), () -> chromium.evaluate(READ_PAGE).toString());
            assertThat(afterClick.path("last").asText()).contains("trigger request", "outcome converged");
        }
    }

    @Test
    @Order(3)
    void renamingTheShimRemovesTheOldOneWithItsRoutes() throws Exception {
        DEV.modifyResourceFile("application.properties", text -> text.replace("shims.mynet.", "shims.mynet2."));
        // Dev mode looks for changes when a request comes in.
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/q/health"))
                .build(), HttpResponse.BodyHandlers.discarding());

        String links = await(() -> {
            String now = SharedLab.ip(HOST, "-o", "link", "show");
            return now.contains("mynet2@") && !now.contains("mynet@") ? now : null;
        }, Duration.ofSeconds(60), () -> SharedLab.ip(HOST, "-o", "link", "show"));
        assertThat(links).contains("mynet2@eth0").doesNotContain(" mynet@");
        assertThat(SharedLab.ip(HOST, "route", "show", "proto", "77")).contains(C1 + " dev mynet2")
                .doesNotContain("dev mynet ");
        assertThat(SharedLab.awaitPing(HOST, C1, Duration.ofSeconds(5))).isTrue();
    }

    /** Finds the page's component through the Dev UI's shadow roots. */
    private static final String FIND_PAGE = """
            const deep = (root, selector) => {
                const found = root.querySelector(selector);
                if (found) return found;
                for (const element of root.querySelectorAll('*')) {
                    if (element.shadowRoot) {
                        const inner = deep(element.shadowRoot, selector);
                        if (inner) return inner;
                    }
                }
                return null;
            };
            const page = deep(document, 'qwc-macvlan-shim-shims');
            """;

    /** What the page shows, as text per part; null until it has rendered the status. */
    private static final String READ_PAGE = "(() => {" + FIND_PAGE + """
                if (!page || !page.shadowRoot) return null;
                const root = page.shadowRoot;
                // Every text node, one space between: cells read "outcome converged", not "outcomeconverged".
                const text = selector => {
                    const element = root.querySelector(selector);
                    if (!element) return null;
                    const parts = [];
                    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
                    while (walker.nextNode()) parts.push(walker.currentNode.textContent);
                    return parts.join(' ').replace(/\\s+/g, ' ').trim();
                };
                if (!root.querySelector('#shims') && !root.querySelector('#error')) return null;
                return {
                    error: text('#error'),
                    hostNetwork: text('#host-network'),
                    shim: text('#shims tr[data-shim="mynet"]'),
                    shimState: text('#shims tr[data-shim="mynet"] .state'),
                    shimRoutes: text('#shims tr[data-shim="mynet"] .routes'),
                    routes: text('#routes'),
                    conflicts: text('#conflicts'),
                    sources: text('#sources'),
                    last: text('#last-reconcile')
                };
            })()""";

    /** For a failure message: where the browser is and which custom elements the page has, shadow roots included. */
    private static final String DESCRIBE_PAGE = """
            (() => {
                const tags = new Set();
                const walk = root => root.querySelectorAll('*').forEach(element => {
                    if (element.tagName.includes('-')) tags.add(element.tagName.toLowerCase());
                    if (element.shadowRoot) walk(element.shadowRoot);
                });
                walk(document);
                return location.href + ' title=' + document.title + ' elements=' + [...tags].join(',');
            })()""";

    /**
     * Polls {@code probe} until it gives something other than null or JSON null; else fails with what
     * {@code describe} says of the state it was in.
     */
    private static <T> T await(Supplier<T> probe, Duration within, Supplier<String> describe)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(within);
        while (true) {
            T value = probe.get();
            if (value != null && !(value instanceof JsonNode node && (node.isNull() || node.isMissingNode()))) {
                return value;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + within + "; " + describe.get());
            }
            Thread.sleep(250);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Registered before {@link #DEV}, so JUnit runs its after-all once dev mode has ended: then nothing the engine
     * made may be left, and the lab goes.
     */
    static final class AfterDevMode implements AfterAllCallback {

        @Override
        public void afterAll(ExtensionContext context) {
            try {
                assertThat(SharedLab.ip(HOST, "-o", "link", "show")).doesNotContain("mynet");
                assertThat(SharedLab.ip(HOST, "route", "show", "proto", "77")).isBlank();
                assertThat(SharedLab.ip(HOST, "route", "show", SPARE)).as("the foreign route stays")
                        .contains("proto static");
            } finally {
                SharedLab.close(DevModeLabTest.class);
            }
        }
    }
}
