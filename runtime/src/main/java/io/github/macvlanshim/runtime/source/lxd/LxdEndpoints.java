package io.github.macvlanshim.runtime.source.lxd;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.github.macvlanshim.runtime.net.InterfaceNames;
import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;

/**
 * Turns LXD's answers into endpoints: every global IPv4 and IPv6 address of every running instance
 * (container or VM) on a macvlan NIC, with the parent that NIC sits on. Pure: reads JSON trees, does no I/O.
 * <p>
 * A response whose overall shape is wrong throws {@link SourceException}. Anything wrong inside one
 * instance, NIC or address skips just that, with one line to the {@link ProblemLog}; nothing here throws an
 * unchecked exception on bad input.
 */
public final class LxdEndpoints {

    public static final String SOURCE = "lxd";

    static final String SERVER_PATH = "/1.0";
    static final String NETWORKS_PATH = "/1.0/networks?recursion=1";
    static final String INSTANCES_PATH = "/1.0/instances?recursion=2&all-projects=true";
    /**
     * The same listing with only the network part of each instance's state: the daemon then skips what costs it
     * most per instance (disk and memory usage, processes). Only where the API extension says it is understood.
     */
    static final String INSTANCES_NETWORK_STATE_PATH = "/1.0/instances?recursion=2;fields=state.network&all-projects=true";
    static final String SELECTIVE_STATE_EXTENSION = "instances_state_selective_recursion";

    /**
     * Instance and project names go into logs, metrics and API paths, never to ip; LXD's own rules are
     * stricter, so a name outside these is a corrupt answer, not a real instance.
     */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,62}");
    private static final Pattern PRINTABLE = Pattern.compile("[!-~&&[^\"]]{1,80}");
    private static final String PLAIN_NAME_TEXT = "1-63 letters, digits, '_', '.', '+' and '-'";

    private final ProblemLog problems;

    public LxdEndpoints(ProblemLog problems) {
        this.problems = problems;
    }

    /** Where this daemon sits: in a cluster, only instances located on this member are ours to route. */
    public record Server(boolean clustered, String name) {

        public boolean isLocal(String location) {
            return !clustered || name.equals(location);
        }
    }

    /** The cheapest full listing the daemon that answered GET {@value #SERVER_PATH} with {@code server} offers. */
    public static String instancesPath(JsonNode server) {
        JsonNode extensions = server == null ? null : server.get("api_extensions");
        if (extensions != null && extensions.isArray()) {
            for (JsonNode extension : extensions) {
                if (SELECTIVE_STATE_EXTENSION.equals(extension.asText())) {
                    return INSTANCES_NETWORK_STATE_PATH;
                }
            }
        }
        return INSTANCES_PATH;
    }

    /** The metadata of GET {@value #SERVER_PATH}. */
    public Server server(JsonNode metadata) throws SourceException {
        JsonNode environment = metadata == null ? null : metadata.get("environment");
        if (environment == null || !environment.isObject()) {
            throw new SourceException("GET " + SERVER_PATH + ": metadata.environment is " + describe(environment)
                    + ", expected an object");
        }
        JsonNode clustered = environment.get("server_clustered");
        if (clustered != null && !clustered.isNull() && !clustered.isBoolean()) {
            throw new SourceException("GET " + SERVER_PATH + ": environment.server_clustered is "
                    + describe(clustered) + ", expected true or false");
        }
        if (clustered == null || !clustered.asBoolean()) {
            return new Server(false, "");
        }
        JsonNode name = environment.get("server_name");
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
            throw new SourceException("GET " + SERVER_PATH + ": environment.server_name is " + describe(name)
                    + ", expected this cluster member's name");
        }
        return new Server(true, name.asText());
    }

    /** The metadata of GET {@value #NETWORKS_PATH}: each managed macvlan network's name and parent. */
    public Map<String, String> macvlanNetworks(JsonNode metadata) throws SourceException {
        if (metadata == null || !metadata.isArray()) {
            throw new SourceException("GET " + NETWORKS_PATH + ": metadata is " + describe(metadata)
                    + ", expected an array of networks");
        }
        Map<String, String> parents = new HashMap<>();
        for (JsonNode network : metadata) {
            if (!network.isObject() || !network.path("name").isTextual()) {
                problems.report("LXD network " + abbreviate(network) + " skipped: expected an object with a name");
                continue;
            }
            String name = network.get("name").asText();
            if (!"macvlan".equals(network.path("type").asText()) || network.path("managed").isBoolean()
                    && !network.path("managed").asBoolean()) {
                continue;
            }
            JsonNode parent = network.path("config").path("parent");
            String problem = interfaceProblem(parent);
            if (problem != null) {
                problems.report("LXD network " + name + ": config.parent is " + describe(parent) + ", expected "
                        + problem + "; instances on it are skipped");
                continue;
            }
            parents.put(name, parent.asText());
        }
        return parents;
    }

    /** Every endpoint, from the three answers' metadata. */
    public List<Endpoint> endpoints(JsonNode server, JsonNode networks, JsonNode instances) throws SourceException {
        Server where = server(server);
        Map<String, String> macvlanNetworks = macvlanNetworks(networks);
        if (instances == null || !instances.isArray()) {
            throw new SourceException("GET " + INSTANCES_PATH + ": metadata is " + describe(instances)
                    + ", expected an array of instances");
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (JsonNode instance : instances) {
            endpoints.addAll(instanceEndpoints(instance, where, macvlanNetworks));
        }
        return endpoints;
    }

    /**
     * One instance's endpoints, from an element of GET {@value #INSTANCES_PATH} (or a full GET of one
     * instance): none unless it is running here.
     */
    public List<Endpoint> instanceEndpoints(JsonNode instance, Server server, Map<String, String> macvlanNetworks) {
        Optional<Identity> identity = identity(instance);
        if (identity.isEmpty()) {
            return List.of();
        }
        Identity id = identity.get();
        JsonNode status = instance.get("status");
        if (status == null || !status.isTextual()) {
            problems.report("LXD instance " + id + " skipped: status is " + describe(status)
                    + ", expected a text such as Running");
            return List.of();
        }
        if (!"Running".equals(status.asText())) {
            return List.of();
        }
        if (server.clustered()) {
            JsonNode location = instance.get("location");
            if (location == null || !location.isTextual()) {
                problems.report("LXD instance " + id + " skipped: location is " + describe(location)
                        + ", expected the name of the cluster member it runs on");
                return List.of();
            }
            if (!server.isLocal(location.asText())) {
                return List.of();
            }
        }
        Map<String, String> nics = macvlanNics(instance, id, macvlanNetworks);
        if (nics.isEmpty()) {
            return List.of();
        }
        JsonNode state = instance.get("state");
        if (state == null || state.isNull()) {
            return List.of();
        }
        return addresses(id, state, nics);
    }

    /**
     * The endpoints in one instance's GET /1.0/instances/NAME/state metadata, for the macvlan NICs
     * {@code nics} (name inside the instance to parent).
     */
    public List<Endpoint> stateEndpoints(String project, String name, JsonNode state, Map<String, String> nics) {
        return addresses(new Identity(project, name), state, nics);
    }

    /**
     * The instance's macvlan NICs: the interface name inside the instance mapped to the parent it sits on.
     * Empty when the instance has none or is malformed (reported).
     */
    public Map<String, String> macvlanNics(JsonNode instance, Map<String, String> macvlanNetworks) {
        return identity(instance).map(id -> macvlanNics(instance, id, macvlanNetworks)).orElse(Map.of());
    }

    private Map<String, String> macvlanNics(JsonNode instance, Identity id, Map<String, String> macvlanNetworks) {
        JsonNode devices = instance.get("expanded_devices");
        if (devices == null || !devices.isObject()) {
            problems.report("LXD instance " + id + " skipped: expanded_devices is " + describe(devices)
                    + ", expected an object of devices");
            return Map.of();
        }
        Map<String, String> nics = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = devices.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = entry.getKey();
            JsonNode device = entry.getValue();
            if (!device.isObject()) {
                problems.report("LXD instance " + id + ": device " + printable(key) + " is " + describe(device)
                        + ", expected an object; device skipped");
                continue;
            }
            if (!"nic".equals(device.path("type").asText())) {
                continue;
            }
            String parent = macvlanParent(id, key, device, macvlanNetworks);
            if (parent == null) {
                continue;
            }
            JsonNode nameNode = device.get("name");
            String nic = key;
            if (nameNode != null && !nameNode.isNull()) {
                String problem = interfaceProblem(nameNode);
                if (problem != null) {
                    problems.report("LXD instance " + id + ": expanded_devices." + printable(key) + ".name is "
                            + describe(nameNode) + ", expected " + problem + "; NIC skipped");
                    continue;
                }
                nic = nameNode.asText();
            } else if (InterfaceNames.problem(key) != null) {
                problems.report("LXD instance " + id + ": device key " + printable(key)
                        + " has no name property and is not an interface name; NIC skipped");
                continue;
            }
            nics.put(nic, parent);
        }
        return nics;
    }

    /** The parent of a macvlan NIC device, or null when the device is no macvlan NIC (or is malformed). */
    private String macvlanParent(Identity id, String key, JsonNode device, Map<String, String> macvlanNetworks) {
        JsonNode nictype = device.get("nictype");
        if (nictype != null && !nictype.isNull()) {
            if (!"macvlan".equals(nictype.asText())) {
                return null;
            }
            JsonNode parent = device.get("parent");
            String problem = interfaceProblem(parent);
            if (problem != null) {
                problems.report("LXD instance " + id + ": expanded_devices." + printable(key) + ".parent is " + describe(parent)
                        + ", expected " + problem + "; NIC skipped");
                return null;
            }
            return parent.asText();
        }
        JsonNode network = device.get("network");
        if (network != null && network.isTextual()) {
            return macvlanNetworks.get(network.asText());
        }
        return null;
    }

    private List<Endpoint> addresses(Identity id, JsonNode state, Map<String, String> nics) {
        if (!state.isObject()) {
            problems.report("LXD instance " + id + " skipped: state is " + describe(state) + ", expected an object");
            return List.of();
        }
        JsonNode network = state.get("network");
        if (network == null || network.isNull()) {
            return List.of();
        }
        if (!network.isObject()) {
            problems.report("LXD instance " + id + " skipped: state.network is " + describe(network)
                    + ", expected an object of interfaces");
            return List.of();
        }
        List<Endpoint> endpoints = new ArrayList<>();
        nics.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(nic -> {
            JsonNode addresses = network.path(nic.getKey()).path("addresses");
            if (addresses.isMissingNode() || addresses.isNull()) {
                return;
            }
            if (!addresses.isArray()) {
                problems.report("LXD instance " + id + ": state.network." + nic.getKey() + ".addresses is "
                        + describe(addresses) + ", expected an array; NIC skipped");
                return;
            }
            for (JsonNode entry : addresses) {
                address(id, nic.getKey(), entry).ifPresent(address -> endpoints.add(
                        new Endpoint(SOURCE, id.project(), id.name(), nic.getKey(), nic.getValue(),
                                IpPrefix.host(address))));
            }
        });
        return endpoints;
    }

    private Optional<InetAddress> address(Identity id, String nic, JsonNode entry) {
        String field = "state.network." + nic + ".addresses[]";
        if (!entry.isObject()) {
            problems.report("LXD instance " + id + ": " + field + " is " + describe(entry)
                    + ", expected an object; address skipped");
            return Optional.empty();
        }
        if (!"global".equals(entry.path("scope").asText())) {
            return Optional.empty();
        }
        String family = entry.path("family").asText();
        JsonNode text = entry.get("address");
        if (text == null || !text.isTextual()) {
            problems.report("LXD instance " + id + ": " + field + ".address is " + describe(text)
                    + ", expected an IP address literal; address skipped");
            return Optional.empty();
        }
        InetAddress address;
        try {
            if ("inet".equals(family)) {
                address = IpLiterals.parseIpv4Only(text.asText());
            } else if ("inet6".equals(family)) {
                address = IpLiterals.parseIpv6Only(text.asText());
            } else {
                problems.report("LXD instance " + id + ": " + field + ".family is " + describe(entry.get("family"))
                        + ", expected inet or inet6; address " + text.asText() + " skipped");
                return Optional.empty();
            }
        } catch (IllegalArgumentException e) {
            problems.report("LXD instance " + id + ": " + field + ".address is " + describe(text) + ", expected an "
                    + family + " address literal (" + e.getMessage() + "); address skipped");
            return Optional.empty();
        }
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isMulticastAddress()) {
            problems.report("LXD instance " + id + ": " + field + ".address is " + text.asText()
                    + ", expected a unicast address a host route can lead to; address skipped");
            return Optional.empty();
        }
        return Optional.of(address);
    }

    private Optional<Identity> identity(JsonNode instance) {
        if (instance == null || !instance.isObject()) {
            problems.report("LXD instance " + abbreviate(instance) + " skipped: expected an object");
            return Optional.empty();
        }
        JsonNode name = instance.get("name");
        if (name == null || !name.isTextual() || !PLAIN_NAME.matcher(name.asText()).matches()) {
            problems.report("LXD instance skipped: name is " + describe(name) + ", expected " + PLAIN_NAME_TEXT
                    + ", in " + abbreviate(instance));
            return Optional.empty();
        }
        JsonNode project = instance.get("project");
        if (project != null && !project.isNull()
                && (!project.isTextual() || !project.asText().isEmpty() && !PLAIN_NAME.matcher(project.asText()).matches())) {
            problems.report("LXD instance " + name.asText() + " skipped: project is " + describe(project)
                    + ", expected a project name of " + PLAIN_NAME_TEXT);
            return Optional.empty();
        }
        String projectName = project == null || project.isNull() || project.asText().isEmpty() ? "default"
                : project.asText();
        return Optional.of(new Identity(projectName, name.asText()));
    }

    /** The text of {@code node} if it is an interface name, else null; otherwise what was expected. */
    private static String interfaceProblem(JsonNode node) {
        if (node == null || !node.isTextual()) {
            return "an interface name";
        }
        String problem = InterfaceNames.problem(node.asText());
        return problem == null ? null : "an interface name (" + problem + ")";
    }

    /** A JSON value as it appears, short: "missing", "null", "42", "\"eth0\"", "an array". */
    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        if (node.isContainerNode()) {
            return node.isArray() ? "an array" : "an object";
        }
        return abbreviate(node);
    }

    /** A key from the answer as it may go into a log line: as it is when plain, else quoted and escaped, short. */
    static String printable(String text) {
        return PRINTABLE.matcher(text).matches() ? text : abbreviate(TextNode.valueOf(text));
    }

    static String abbreviate(JsonNode node) {
        String text = String.valueOf(node);
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    private record Identity(String project, String name) {
        @Override
        public String toString() {
            return project + "/" + name;
        }
    }
}
