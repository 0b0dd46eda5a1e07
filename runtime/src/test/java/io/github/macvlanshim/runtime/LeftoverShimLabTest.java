package io.github.macvlanshim.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.macvlanshim.lab.Lab;
import io.github.macvlanshim.runtime.config.EngineSettings;
import io.github.macvlanshim.runtime.config.MacvlanShimConfig.OnStop;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.reconcile.ShimSpec;

/**
 * A shim an earlier run made and could not take away (a dev session killed, then its shim renamed in the
 * configuration): dev mode removes it at the next start, production leaves it in place; an unmarked macvlan and
 * another protocol's shim are never touched either way.
 */
@Tag("lab")
class LeftoverShimLabTest {

    @RegisterExtension
    final EngineLab fixture = new EngineLab();
    private final Lab lab = fixture.lab();
    private final String host = fixture.host();

    @BeforeEach
    void anEarlierRunLeftItsShimAndRoutesAndOthersHaveMacvlansOfTheirOwn() {
        fixture.stop(fixture.start(settings("old0")));
        assertThat(fixture.ownedRoutes()).as("the earlier run's routes, kept as a killed run leaves them")
                .containsExactlyInAnyOrder(EngineLab.C1_V4 + " dev old0", EngineLab.C1_V6 + " dev old0");
        lab.ip(host, "link", "add", "link", "eth0", "name", "theirs0", "type", "macvlan", "mode", "bridge");
        lab.ip(host, "link", "add", "link", "eth0", "name", "other78", "type", "macvlan", "mode", "bridge");
        lab.ip(host, "link", "set", "dev", "other78", "alias", "macvlan-shim:proto=78");
    }

    @Test
    void devModeRemovesTheShimAnEarlierRunLeftAndOnlyThatOne() {
        fixture.start(settings("mynet"), Engine.Leftovers.REMOVE);

        assertThat(links()).as("the leftover is gone").doesNotContain("old0")
                .as("an unmarked macvlan and another protocol's shim are untouched").contains("theirs0", "other78");
        assertThat(fixture.ownedRoutes()).containsExactlyInAnyOrder(EngineLab.C1_V4 + " dev mynet",
                EngineLab.C1_V6 + " dev mynet");
        assertThat(lab.awaitPing(host, EngineLab.C1_V4, Duration.ofSeconds(3))).as("host -> c1 through mynet").isTrue();
    }

    @Test
    void productionLeavesTheShimInPlaceAndPrunesOnlyItsRoutes() {
        fixture.start(settings("mynet"), Engine.Leftovers.KEEP);

        assertThat(links()).contains("old0", "theirs0", "other78");
        assertThat(fixture.ownedRoutes()).as("the routes through the leftover were owned and unwanted: pruned")
                .containsExactlyInAnyOrder(EngineLab.C1_V4 + " dev mynet", EngineLab.C1_V6 + " dev mynet");
        assertThat(lab.awaitPing(host, EngineLab.C1_V4, Duration.ofSeconds(3))).as("host -> c1 through mynet").isTrue();
    }

    private EngineSettings settings(String shim) {
        return fixture.settings(new ShimSpec(shim, "eth0", Optional.empty(), Optional.empty(),
                List.of(IpPrefix.parse(EngineLab.C1_V4), IpPrefix.parse(EngineLab.C1_V6))), OnStop.KEEP);
    }

    private List<String> links() {
        return lab.ip(host, "-o", "link", "show").lines()
                .map(line -> line.split(":\\s+")[1].replaceFirst("@.*", "")).toList();
    }
}
