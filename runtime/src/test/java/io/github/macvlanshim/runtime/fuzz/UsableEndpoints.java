package io.github.macvlanshim.runtime.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Predicate;

import io.github.macvlanshim.runtime.net.InterfaceNames;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.source.Endpoint;

/**
 * What every endpoint a source hands the engine must be, whatever its daemon answered: its own source name, names
 * by the source's rules, a parent that is an interface name, and one unicast host address that a route can lead to.
 *
 * @param instance the source's rule for instance names
 * @param project the source's rule for projects ("" where it has none)
 * @param nic the source's rule for the NIC field
 */
public record UsableEndpoints(String source, Predicate<String> instance, Predicate<String> project,
        Predicate<String> nic) {

    /** An interface name the kernel takes. */
    public static final Predicate<String> INTERFACE = InterfaceNames::isValid;

    /** Every endpoint of {@code baseline} not of {@code mutated} (the one instance whose answer was mutated) is still there. */
    public static void assertOthersKept(List<Endpoint> endpoints, List<Endpoint> baseline, String mutated,
            String replay) {
        assertThat(endpoints).as(replay + ": instance " + mutated + " was mutated; the others must stay")
                .containsAll(baseline.stream().filter(e -> !e.instance().equals(mutated)).toList());
    }

    public void check(Endpoint endpoint, String replay) {
        String what = replay + ": " + Fuzzing.cut(endpoint.toString());
        assertThat(endpoint.source()).as(what).isEqualTo(source);
        assertThat(instance.test(endpoint.instance())).as(what + ": instance name").isTrue();
        assertThat(project.test(endpoint.project())).as(what + ": project").isTrue();
        assertThat(nic.test(endpoint.nic())).as(what + ": NIC").isTrue();
        assertThat(InterfaceNames.problem(endpoint.parent())).as(what).isNull();
        InetAddress address = endpoint.prefix().address();
        assertThat(endpoint.prefix().isHost()).as(what).isTrue();
        assertThat(IpLiterals.parse(IpLiterals.format(address))).as(what).isEqualTo(address);
        assertThat(address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isMulticastAddress()).as(what).isFalse();
    }
}
