package io.github.macvlanshim.runtime.source.lxd;

import static io.github.macvlanshim.runtime.source.JsonText.abbreviate;
import static io.github.macvlanshim.runtime.source.JsonText.describe;
import static io.github.macvlanshim.runtime.source.JsonText.interfaceProblem;
import static io.github.macvlanshim.runtime.source.JsonText.printable;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
import io.github.macvlanshim.runtime.source.UnroutableNic;

/**
 * Turns LXD's or Incus's answers into endpoints: every global IPv4 and IPv6 address of every running instance
 * (container or VM) on a bridge-mode macvlan NIC, with the interface that NIC really sits on (the parent, or the
 * VLAN interface the daemon makes on it for a NIC or managed network with a {@code vlan} key). A macvlan NIC no
 * bridge-mode shim can reach (Incus's {@code mode} private, vepa, passthru) is not routed but reported as
 * {@link UnroutableNic}. Pure: reads JSON trees, does no I/O.
 * <p>
 * A response whose overall shape is wrong throws {@link SourceException}. Anything wrong inside one
 * instance, NIC or address skips just that, with one line to the {@link ProblemLog}; nothing here throws an
 * unchecked exception on bad input.
 */
public final class LxdEndpoints {

    static final String SERVER_PATH = "/1.0";
    static final String NETWORKS_PATH = "/1.0/networks?recursion=1";
    static final String INSTANCES_PATH = "/1.0/instances?recursion=2&all-projects=true";
    /**
     * The same listing with only the network part of each instance's state: the daemon then skips what costs it
     * most per instance (disk and memory usage, processes). Only where the API extension says it is understood.
     * The ';' and '=' inside the value are percent-encoded, as LXD's api-extensions.md asks: Go's URL parsing refuses
     * a raw ';' in a query (Incus 6.0.4 answers "invalid semicolon separator in query").
     */
    static final String INSTANCES_NETWORK_STATE_PATH = "/1.0/instances?recursion=2%3Bfields%3Dstate.network&all-projects=true";
    static final String SELECTIVE_STATE_EXTENSION = "instances_state_selective_recursion";

    /**
     * Instance and project names go into logs, metrics and API paths, never to ip; LXD's own rules are
     * stricter, so a name outside these is a corrupt answer, not a real instance.
     */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,62}");
    private static final String PLAIN_NAME_TEXT = "1-63 letters, digits, '_', '.', '+' and '-'";

    private static final Pattern VLAN_ID = Pattern.compile("0|[1-9][0-9]{0,3}");
    private static final int MAX_VLAN_ID = 4094;

    private final String source;
    private final ProblemLog problems;

    /** A parser for the source named {@code source} ("lxd", "incus"): the name its endpoints carry. */
    public LxdEndpoints(String source, ProblemLog problems) {
        this.source = source;
        this.problems = problems;
    }

    /**
     * Where this daemon sits: in a cluster, only instances located on this member are ours to route.
     *
     * @param daemon which daemon answered ({@code environment.server}), which decides how VLAN interfaces are named
     */
    /**
     * What GET {@value #SERVER_PATH} says of the daemon: whether it is a cluster member and its name there, which
     * daemon it is, and its version ({@code environment.server_version}, "" when it does not say).
     */
    public record Server(boolean clustered, String name, Daemon daemon, String version) {

        public boolean isLocal(String location) {
            return !clustered || name.equals(location);
        }
    }

    /** A managed macvlan network: its parent and VLAN ID ("" for none), as GET {@value #NETWORKS_PATH} shows it. */
    public record MacvlanNetwork(String parent, String vlan) {
    }

    /**
     * One instance's macvlan NICs.
     *
     * @param routable the name inside the instance of each NIC a shim can serve, to the interface it sits on
     * @param unroutable the others, with why
     */
    public record Nics(Map<String, String> routable, List<UnroutableNic> unroutable) {

        public static final Nics NONE = new Nics(Map.of(), List.of());

        public boolean isEmpty() {
            return routable.isEmpty() && unroutable.isEmpty();
        }
    }

    /** Every endpoint of a listing, and the running instances' NICs that are not routed, by "project/instance". */
    public record Listing(List<Endpoint> endpoints, Map<String, List<UnroutableNic>> unroutable) {
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
        JsonNode serverNode = environment.get("server");
        Daemon daemon = serverNode == null || serverNode.isNull() ? Daemon.LXD : Daemon.ofServer(serverNode.asText());
        if (daemon == null || serverNode != null && !serverNode.isNull() && !serverNode.isTextual()) {
            throw new SourceException("GET " + SERVER_PATH + ": environment.server is " + describe(serverNode)
                    + ", expected lxd or incus");
        }
        JsonNode versionNode = environment.get("server_version");
        String version = versionNode != null && versionNode.isTextual() ? printable(versionNode.asText()) : "";
        if (clustered == null || !clustered.asBoolean()) {
            return new Server(false, "", daemon, version);
        }
        JsonNode name = environment.get("server_name");
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
            throw new SourceException("GET " + SERVER_PATH + ": environment.server_name is " + describe(name)
                    + ", expected this cluster member's name");
        }
        return new Server(true, name.asText(), daemon, version);
    }

    /** The metadata of GET {@value #NETWORKS_PATH}: each managed macvlan network by name. */
    public Map<String, MacvlanNetwork> macvlanNetworks(JsonNode metadata) throws SourceException {
        if (metadata == null || !metadata.isArray()) {
            throw new SourceException("GET " + NETWORKS_PATH + ": metadata is " + describe(metadata)
                    + ", expected an array of networks");
        }
        Map<String, MacvlanNetwork> parents = new HashMap<>();
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
            JsonNode vlan = network.path("config").path("vlan");
            String vlanProblem = vlanProblem(vlan);
            if (vlanProblem != null) {
                problems.report("LXD network " + name + ": config.vlan is " + describe(vlan) + ", expected "
                        + vlanProblem + "; instances on it are skipped");
                continue;
            }
            parents.put(name, new MacvlanNetwork(parent.asText(), vlan.isTextual() ? vlan.asText() : ""));
        }
        return parents;
    }

    /** Every endpoint, from the three answers' metadata. */
    public List<Endpoint> endpoints(JsonNode server, JsonNode networks, JsonNode instances) throws SourceException {
        return listing(server, networks, instances).endpoints();
    }

    /** Every endpoint and every NIC left out, from the three answers' metadata. */
    public Listing listing(JsonNode server, JsonNode networks, JsonNode instances) throws SourceException {
        Listed listed = listed(server, networks);
        if (instances == null || !instances.isArray()) {
            throw new SourceException("GET " + INSTANCES_PATH + ": metadata is " + describe(instances)
                    + ", expected an array of instances");
        }
        for (JsonNode instance : instances) {
            listed.add(instance);
        }
        return listed.listing();
    }

    /**
     * A listing to be handed its instances one at a time, as {@link LxdClient#getEach} reads them: a tree of the
     * whole answer is several times its JSON, one instance's is a few kB.
     */
    public Listed listed(JsonNode server, JsonNode networks) throws SourceException {
        return listed(server(server), macvlanNetworks(networks));
    }

    /** As {@link #listed(JsonNode, JsonNode)}, with the server's and the networks' answers already parsed. */
    public Listed listed(Server server, Map<String, MacvlanNetwork> macvlanNetworks) {
        return new Listed(server, macvlanNetworks);
    }

    /** A listing being read: {@link #add} each element of the metadata array, then {@link #listing}. */
    public final class Listed {

        private final Server where;
        private final Map<String, MacvlanNetwork> macvlanNetworks;
        private final List<Endpoint> endpoints = new ArrayList<>();
        private final Map<String, List<UnroutableNic>> unroutable = new LinkedHashMap<>();
        /** Text elements wait: a listing of nothing but URLs is refused whole, with no line for each of them. */
        private final List<JsonNode> texts = new ArrayList<>();
        private int added;

        private Listed(Server where, Map<String, MacvlanNetwork> macvlanNetworks) {
            this.where = where;
            this.macvlanNetworks = macvlanNetworks;
        }

        public void add(JsonNode instance) {
            added++;
            if (instance.isTextual()) {
                texts.add(instance);
            } else {
                addInstance(instance);
            }
        }

        private void addInstance(JsonNode instance) {
            Optional<Identity> identity = identity(instance);
            if (identity.isEmpty()) {
                return;
            }
            Nics nics = runningNics(instance, identity.get(), where, macvlanNetworks);
            if (!nics.unroutable().isEmpty()) {
                unroutable.put(identity.get().toString(), nics.unroutable());
            }
            endpoints.addAll(endpoints(instance, identity.get(), nics));
        }

        /** What the elements added make; throws when they were all URLs (the daemon ignored the recursion). */
        public Listing listing() throws SourceException {
            if (added > 0 && texts.size() == added) {
                // A list of URLs: the daemon did not take the recursion asked for. "No instances" would be a lie.
                throw new SourceException("GET " + INSTANCES_PATH + ": metadata lists " + abbreviate(texts.get(0))
                        + " and other URLs, expected instance objects (the daemon did not honour the recursion asked"
                        + " for)");
            }
            texts.forEach(this::addInstance);
            texts.clear();
            return new Listing(endpoints, unroutable);
        }
    }

    /**
     * The macvlan NICs of one instance, from an element of GET {@value #INSTANCES_PATH} or a GET of one instance:
     * none unless it is running here.
     */
    public Nics runningNics(JsonNode instance, Server server, Map<String, MacvlanNetwork> macvlanNetworks) {
        return identity(instance).map(id -> runningNics(instance, id, server, macvlanNetworks)).orElse(Nics.NONE);
    }

    private Nics runningNics(JsonNode instance, Identity id, Server server, Map<String, MacvlanNetwork> macvlanNetworks) {
        JsonNode status = instance.get("status");
        if (status == null || !status.isTextual()) {
            problems.report("LXD instance " + id + " skipped: status is " + describe(status)
                    + ", expected a text such as Running");
            return Nics.NONE;
        }
        if (!"Running".equals(status.asText())) {
            return Nics.NONE;
        }
        if (server.clustered()) {
            JsonNode location = instance.get("location");
            if (location == null || !location.isTextual()) {
                problems.report("LXD instance " + id + " skipped: location is " + describe(location)
                        + ", expected the name of the cluster member it runs on");
                return Nics.NONE;
            }
            if (!server.isLocal(location.asText())) {
                return Nics.NONE;
            }
        }
        return macvlanNics(instance, id, server.daemon(), macvlanNetworks);
    }

    private List<Endpoint> endpoints(JsonNode instance, Identity id, Nics nics) {
        if (nics.routable().isEmpty()) {
            return List.of();
        }
        JsonNode state = instance.get("state");
        if (state == null || state.isNull()) {
            return List.of();
        }
        return addresses(id, state, nics.routable());
    }

    /**
     * The endpoints in one instance's GET /1.0/instances/NAME/state metadata, for the macvlan NICs
     * {@code nics} (name inside the instance to the interface it sits on).
     */
    public List<Endpoint> stateEndpoints(String project, String name, JsonNode state, Map<String, String> nics) {
        return addresses(new Identity(project, name), state, nics);
    }

    private Nics macvlanNics(JsonNode instance, Identity id, Daemon daemon, Map<String, MacvlanNetwork> macvlanNetworks) {
        JsonNode devices = instance.get("expanded_devices");
        if (devices == null || !devices.isObject()) {
            problems.report("LXD instance " + id + " skipped: expanded_devices is " + describe(devices)
                    + ", expected an object of devices");
            return Nics.NONE;
        }
        Map<String, String> nics = new HashMap<>();
        List<UnroutableNic> unroutable = new ArrayList<>();
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
            Placement placement = macvlanPlacement(id, key, device, daemon, macvlanNetworks);
            if (placement == null) {
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
            if (placement.why() != null) {
                UnroutableNic left = new UnroutableNic(source, id.project(), id.name(), nic, placement.sitsOn(),
                        placement.why());
                problems.report("not routed: " + left);
                unroutable.add(left);
                continue;
            }
            nics.put(nic, placement.sitsOn());
        }
        unroutable.sort(java.util.Comparator.comparing(UnroutableNic::nic));
        return new Nics(nics, unroutable);
    }

    /**
     * Where a macvlan NIC sits, and why no shim can reach it (null when one can).
     *
     * @param sitsOn the interface the daemon puts the macvlan on: the parent, or the VLAN interface on it
     */
    private record Placement(String sitsOn, String why) {
    }

    /** Where a macvlan NIC device sits, or null when the device is no macvlan NIC (or is malformed: reported). */
    private Placement macvlanPlacement(Identity id, String key, JsonNode device, Daemon daemon,
            Map<String, MacvlanNetwork> macvlanNetworks) {
        String field = "expanded_devices." + printable(key);
        JsonNode nictype = device.get("nictype");
        String parent;
        JsonNode vlan;
        if (nictype != null && !nictype.isNull()) {
            if (!"macvlan".equals(nictype.asText())) {
                return null;
            }
            JsonNode parentNode = device.get("parent");
            String problem = interfaceProblem(parentNode);
            if (problem != null) {
                problems.report("LXD instance " + id + ": " + field + ".parent is " + describe(parentNode)
                        + ", expected " + problem + "; NIC skipped");
                return null;
            }
            parent = parentNode.asText();
            vlan = device.path("vlan");
        } else {
            JsonNode network = device.get("network");
            MacvlanNetwork managed = network != null && network.isTextual() ? macvlanNetworks.get(network.asText())
                    : null;
            if (managed == null) {
                return null;
            }
            parent = managed.parent();
            vlan = TextNode.valueOf(managed.vlan());
        }
        String vlanProblem = vlanProblem(vlan);
        if (vlanProblem != null) {
            problems.report("LXD instance " + id + ": " + field + ".vlan is " + describe(vlan) + ", expected "
                    + vlanProblem + "; NIC skipped");
            return null;
        }
        String sitsOn = parent;
        if (vlan.isTextual() && !vlan.asText().isEmpty()) {
            sitsOn = daemon.vlanInterface(parent, vlan.asText());
            String nameProblem = InterfaceNames.problem(sitsOn);
            if (nameProblem != null) {
                // LXD has no fallback name: it can only be running on a VLAN interface someone made under another name.
                return new Placement(sitsOn, daemon.title() + " names the VLAN " + vlan.asText() + " interface on "
                        + parent + " " + sitsOn + ", which is no interface name (" + nameProblem
                        + "): it must sit on one made under another name, which the API does not tell");
            }
        }
        JsonNode mode = device.path("mode");
        if (mode.isMissingNode() || mode.isNull() || mode.isTextual() && (mode.asText().isEmpty()
                || mode.asText().equals("bridge"))) {
            return new Placement(sitsOn, null);
        }
        String why = switch (mode.asText()) {
            case "private" -> "macvlan mode private: it talks to no other macvlan on " + sitsOn
                    + ", the shim included";
            case "vepa" -> "macvlan mode vepa: its frames to the shim go out to the switch and come back only if the"
                    + " switch port hairpins";
            case "passthru" -> "macvlan mode passthru: it takes " + sitsOn + " for itself and cannot start while the"
                    + " shim sits there";
            default -> null;
        };
        if (why == null) {
            problems.report("LXD instance " + id + ": " + field + ".mode is " + describe(mode)
                    + ", expected bridge, vepa, passthru or private; NIC skipped");
            return null;
        }
        return new Placement(sitsOn, why + "; only bridge-mode macvlan NICs are routed");
    }

    /** Null when {@code vlan} is absent, empty or a VLAN ID the daemons accept; otherwise what was expected. */
    private static String vlanProblem(JsonNode vlan) {
        if (vlan == null || vlan.isMissingNode() || vlan.isNull() || vlan.isTextual() && vlan.asText().isEmpty()) {
            return null;
        }
        if (vlan.isTextual() && VLAN_ID.matcher(vlan.asText()).matches()
                && Integer.parseInt(vlan.asText()) <= MAX_VLAN_ID) {
            return null;
        }
        return "a VLAN ID from 0 to " + MAX_VLAN_ID;
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
                        new Endpoint(source, id.project(), id.name(), nic.getKey(), nic.getValue(),
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


    private record Identity(String project, String name) {
        @Override
        public String toString() {
            return project + "/" + name;
        }
    }
}
