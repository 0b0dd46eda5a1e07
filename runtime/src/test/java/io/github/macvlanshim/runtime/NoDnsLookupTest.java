package io.github.macvlanshim.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Permission;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.macvlanshim.runtime.net.HostNetworkException;
import io.github.macvlanshim.runtime.net.IpJsonParser;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.lxd.LxdEndpoints;
import io.github.macvlanshim.runtime.source.lxd.ProblemLog;

/**
 * No text that should be an address ever reaches a resolver. On Java 17 every name lookup of InetAddress (forward,
 * from its cache or from the resolver) first calls {@code SecurityManager.checkConnect(host, -1)}, and a literal
 * never does; a SecurityManager that records those calls therefore sees every lookup, whichever resolver is
 * configured. The positive control proves the recorder hears a real lookup. (Java 18+ needs
 * {@code -Djava.security.manager=allow} for this; Java 17, the build's release, allows it by default.)
 */
class NoDnsLookupTest {

    private static final List<String> HOST_NAMES = List.of("example.org", "localhost", "lxd", "eth0", "-batch", "dev",
            "help", "1.2.3.4 via 5.6.7.8", "fe80::1%eth0", "999.1.1.1", "01.2.3.4", "1.2.3", "0x7f.1", "2130706433",
            "[::1]", "xn--nxasmq6b.example", "host.invalid", "198.51.100.7.nip.io", "::ffff:example.org", "a:b:c:d:e:f:g:h");

    /** Records every host name InetAddress asks permission to look up; allows everything else. */
    private static final class RecordingSecurityManager extends SecurityManager {
        final List<String> lookups = new CopyOnWriteArrayList<>();

        @Override
        public void checkConnect(String host, int port) {
            if (port == -1) {
                lookups.add(host);
            }
        }

        @Override
        public void checkPermission(Permission permission) {
        }

        @Override
        public void checkPermission(Permission permission, Object context) {
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    @SuppressWarnings("removal")
    private static List<String> lookupsDuring(Action action) throws Exception {
        RecordingSecurityManager recorder = new RecordingSecurityManager();
        SecurityManager previous = System.getSecurityManager();
        try {
            System.setSecurityManager(recorder);
        } catch (UnsupportedOperationException e) {
            throw new AssertionError("this JVM forbids a SecurityManager; run with -Djava.security.manager=allow", e);
        }
        try {
            action.run();
        } finally {
            System.setSecurityManager(previous);
        }
        return recorder.lookups;
    }

    @Test
    void theRecorderHearsARealLookup() throws Exception {
        List<String> lookups = lookupsDuring(() -> {
            try {
                InetAddress.getByName("recorder-control.invalid");
            } catch (UnknownHostException expected) {
                // The lookup was made and failed: what matters is that it was heard.
            }
        });
        assertThat(lookups).containsExactly("recorder-control.invalid");
    }

    @Test
    void parsingAddressesPrefixesAndValidatingConfigNeverLooksANameUp() throws Exception {
        List<String> lookups = lookupsDuring(() -> {
            for (String text : HOST_NAMES) {
                assertThatThrownBy(() -> IpLiterals.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> IpPrefix.parse(text + "/24")).as(text).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> io.github.macvlanshim.runtime.config.ConfigValidatorProbe.validateAddresses(text))
                        .as(text).isInstanceOf(RuntimeException.class);
            }
            IpLiterals.parse("198.51.100.7");
            IpLiterals.parse("2001:db8::7");
        });
        assertThat(lookups).isEmpty();
    }

    @Test
    void lxdInstancesWhoseAddressesAreHostNamesAndIpOutputWithNamesLookNothingUp() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode server = json.readTree("{\"environment\":{\"server_clustered\":false}}");
        JsonNode networks = json.readTree("[]");
        StringBuilder addresses = new StringBuilder();
        for (String name : HOST_NAMES) {
            String family = name.contains(":") ? "inet6" : "inet";
            addresses.append(addresses.length() == 0 ? "" : ",").append("{\"family\":\"").append(family)
                    .append("\",\"address\":").append(json.writeValueAsString(name)).append(",\"scope\":\"global\"}");
        }
        JsonNode instances = json.readTree("[{\"name\":\"c1\",\"project\":\"default\",\"status\":\"Running\","
                + "\"expanded_devices\":{\"eth0\":{\"type\":\"nic\",\"nictype\":\"macvlan\",\"parent\":\"eth0\"}},"
                + "\"state\":{\"network\":{\"eth0\":{\"addresses\":[" + addresses + "]}}}}]");
        // JBoss LogManager looks up the machine's own name once, when logging starts (ExtLogRecord's host name):
        // not an address from input, so logging is started before recording.
        ProblemLog.warnings();
        List<String> lookups = lookupsDuring(() -> {
            try {
                assertThat(new LxdEndpoints("lxd", new ProblemLog(line -> {
                })).endpoints(server, networks, instances)).isEmpty();
            } catch (SourceException e) {
                throw new AssertionError(e);
            }
            for (String name : HOST_NAMES) {
                String quoted = json.writeValueAsString(name);
                String links = "[]\n[{\"type\":\"unicast\",\"dst\":" + quoted + ",\"gateway\":" + quoted
                        + ",\"dev\":\"eth0\",\"protocol\":\"77\"}]\n";
                assertThatThrownBy(() -> IpJsonParser.parse(links, "[]\n[]\n[]\n")).isInstanceOf(HostNetworkException.class);
            }
        });
        assertThat(lookups).isEmpty();
    }

}
