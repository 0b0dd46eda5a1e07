package io.github.macvlanshim.runtime.status;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.github.macvlanshim.runtime.MacvlanShimEngine;
import io.github.macvlanshim.runtime.metrics.BuildVersion;
import io.quarkus.vertx.http.ManagementInterface;

/**
 * Serves {@link StatusDocument} at {@code <management root>/macvlan-shim/status} (by default
 * {@code http://127.0.0.1:9000/q/macvlan-shim/status} in the agent) on the management interface only: the
 * document names every instance and address on the host, which the application's own port has no business
 * telling. Without {@code quarkus.management.enabled=true} Quarkus fires no {@link ManagementInterface} event
 * and nothing is served. A bean only when Vert.x HTTP is present.
 */
@Singleton
public class StatusRoute {

    public static final String PATH = "macvlan-shim/status";

    @Inject
    MacvlanShimEngine engine;

    @ConfigProperty(name = "quarkus.management.root-path", defaultValue = "/q")
    String rootPath;

    void register(@Observes ManagementInterface management) {
        String root = rootPath.endsWith("/") ? rootPath : rootPath + "/";
        // Reading the status is one volatile read: fine on the event loop.
        management.router().get(root + PATH).handler(context -> context.response()
                .putHeader("Content-Type", "application/json")
                .end(StatusDocument.of(engine.status(), BuildVersion.VERSION).toPrettyString() + "\n"));
    }
}
