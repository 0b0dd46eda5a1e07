package io.github.macvlanshim.runtime.source.docker;

import static io.github.macvlanshim.runtime.source.JsonText.abbreviate;
import static io.github.macvlanshim.runtime.source.JsonText.describe;
import static io.github.macvlanshim.runtime.source.JsonText.interfaceProblem;
import static io.github.macvlanshim.runtime.source.JsonText.printable;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.macvlanshim.runtime.net.IpLiterals;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.source.Endpoint;
import io.github.macvlanshim.runtime.source.SourceException;
import io.github.macvlanshim.runtime.source.lxd.ProblemLog;

/**
 * Turns Docker's (or Podman's) answers into endpoints: the IPv4 {@code IPAddress} and IPv6 {@code GlobalIPv6Address}
 * of every running container on a macvlan network in bridge mode, with the network's parent. Pure: reads JSON
 * trees, does no I/O.
 * <p>
 * An answer whose overall shape is wrong throws {@link SourceException}. Anything wrong inside one network,
 * container or address skips just that, with one line to the {@link ProblemLog}; nothing here throws an unchecked
 * exception on bad input.
 */
public final class DockerEndpoints {

    public static final String SOURCE = "docker";

    static final String VERSION_PATH = "/version";
    /** Docker's networks, with each one's options (parent, macvlan_mode) and where its configuration comes from. */
    static final String NETWORKS_PATH = "/networks";
    /**
     * Podman's compatible /networks leaves the parent out ({@code Options: {}}); its own API has it as
     * {@code network_interface}. The path needs a version, and v4.0.0 is the oldest Podman 4 and 5 still answer.
     */
    static final String PODMAN_NETWORKS_PATH = "/v4.0.0/libpod/networks/json";
    /** Running (and paused) containers only: stopped ones have no address on the LAN. */
    static final String CONTAINERS_PATH = "/containers/json";

    /**
     * Container and network names go into logs, metrics, the state file and API paths, never to ip; Docker's own
     * rule is {@code [a-zA-Z0-9][a-zA-Z0-9_.-]+}, so a name outside this is a corrupt answer.
     */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final String PLAIN_NAME_TEXT = "1-63 letters, digits, '_', '.' and '-'";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{12,64}");
    /** Local networks have hex IDs like containers; swarm-scoped ones 25 letters and digits. */
    private static final Pattern NETWORK_ID = Pattern.compile("[0-9a-z]{12,64}");

    private final ProblemLog problems;

    public DockerEndpoints(ProblemLog problems) {
        this.problems = problems;
    }

    /** Which engine answers: Docker, or Podman behind its Docker-compatible API. */
    public enum Kind {
        DOCKER("Docker"),
        PODMAN("Podman");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The engine, from GET {@value #VERSION_PATH}: "Docker 20.10.24 (API 1.41)", "Podman 4.3.1 (API 1.41)". */
    public record Engine(Kind kind, String version, String apiVersion) {

        @Override
        public String toString() {
            return kind.label() + " " + version + " (API " + apiVersion + ")";
        }
    }

    /** A macvlan network in bridge mode, with the parent its containers' NICs sit on. */
    public record Network(String id, String name, String parent) {
    }

    /** The networks a container may be on, found by ID (Docker) or by name (Podman gives the name as NetworkID). */
    public record Networks(Map<String, Network> byId, Map<String, Network> byName) {

        public static final Networks NONE = new Networks(Map.of(), Map.of());

        Optional<Network> find(String networkId, String key) {
            Network found = networkId.isEmpty() ? null : byId.get(networkId);
            if (found == null && !networkId.isEmpty()) {
                found = byName.get(networkId);
            }
            if (found == null && networkId.isEmpty()) {
                found = byName.get(key);
            }
            return Optional.ofNullable(found);
        }
    }

    /**
     * One container, from GET /containers/ID/json.
     *
     * @param name the container's name without Docker's leading '/'
     * @param endpoints its endpoints now: none unless it runs
     */
    public record Container(String id, String name, boolean running, List<Endpoint> endpoints) {
    }

    /** The engine that answered GET {@value #VERSION_PATH} with {@code version}. */
    public Engine engine(JsonNode version) throws SourceException {
        if (version == null || !version.isObject()) {
            throw new SourceException("GET " + VERSION_PATH + " answered " + describe(version) + ", expected an object");
        }
        JsonNode number = version.get("Version");
        JsonNode api = version.get("ApiVersion");
        if (number == null || !number.isTextual() || api == null || !api.isTextual()) {
            throw new SourceException("GET " + VERSION_PATH + ": Version is " + describe(number) + " and ApiVersion is "
                    + describe(api) + ", expected two texts");
        }
        Kind kind = Kind.DOCKER;
        JsonNode components = version.get("Components");
        if (components != null && components.isArray()) {
            for (JsonNode component : components) {
                if ("Podman Engine".equals(component.path("Name").asText())) {
                    kind = Kind.PODMAN;
                }
            }
        }
        return new Engine(kind, printable(number.asText()), printable(api.asText()));
    }

    /** The path that lists {@code engine}'s networks with their parents. */
    public static String networksPath(Engine engine) {
        return engine.kind() == Kind.PODMAN ? PODMAN_NETWORKS_PATH : NETWORKS_PATH;
    }

    /** The macvlan networks in bridge mode, from the answer to {@link #networksPath(Engine)}. */
    public Networks networks(Engine engine, JsonNode answer) throws SourceException {
        if (answer == null || !answer.isArray()) {
            throw new SourceException("GET " + networksPath(engine) + " answered " + describe(answer)
                    + ", expected an array of networks");
        }
        return engine.kind() == Kind.PODMAN ? podmanNetworks(answer) : dockerNetworks(answer);
    }

    /**
     * Docker's networks: the parent and mode are in {@code Options}, or, for a network made {@code --config-from} a
     * config-only network (as swarm-scoped macvlan networks are), in that network's {@code Options}.
     */
    private Networks dockerNetworks(JsonNode answer) {
        Map<String, JsonNode> configOnly = new HashMap<>();
        for (JsonNode network : answer) {
            if (network.isObject() && network.path("ConfigOnly").asBoolean(false) && network.path("Name").isTextual()) {
                configOnly.put(network.get("Name").asText(), network);
            }
        }
        List<Network> found = new ArrayList<>();
        for (JsonNode network : answer) {
            if (!network.isObject() || !"macvlan".equals(network.path("Driver").asText())
                    || network.path("ConfigOnly").asBoolean(false)) {
                continue;
            }
            Optional<String> name = networkName(network.get("Name"), "Name");
            if (name.isEmpty()) {
                continue;
            }
            JsonNode options = network.get("Options");
            JsonNode from = network.path("ConfigFrom").path("Network");
            if ((options == null || !options.isObject() || !options.has("parent")) && from.isTextual()
                    && !from.asText().isEmpty()) {
                JsonNode config = configOnly.get(from.asText());
                if (config == null) {
                    problems.report("Docker network " + name.get() + " skipped: its configuration network "
                            + printable(from.asText()) + " is not among the networks");
                    continue;
                }
                options = config.get("Options");
            }
            JsonNode parent = options == null || !options.isObject() ? null : options.get("parent");
            if (parent == null || parent.isNull()) {
                // No parent: Docker made a dummy one for an internal network, which no LAN and no shim reaches.
                continue;
            }
            JsonNode mode = options.get("macvlan_mode");
            network(name.get(), network.get("Id"), "Id", parent, "parent", mode, "macvlan_mode").ifPresent(found::add);
        }
        return index(found);
    }

    /** Podman's own network listing: {@code network_interface} is the parent, {@code options.mode} the mode. */
    private Networks podmanNetworks(JsonNode answer) {
        List<Network> found = new ArrayList<>();
        for (JsonNode network : answer) {
            if (!network.isObject() || !"macvlan".equals(network.path("driver").asText())) {
                continue;
            }
            Optional<String> name = networkName(network.get("name"), "name");
            if (name.isEmpty()) {
                continue;
            }
            JsonNode parent = network.get("network_interface");
            if (parent == null || parent.isNull() || parent.isTextual() && parent.asText().isEmpty()) {
                continue;
            }
            JsonNode options = network.get("options");
            JsonNode mode = options != null && options.isObject() ? options.get("mode") : null;
            network(name.get(), network.get("id"), "id", parent, "network_interface", mode, "options.mode")
                    .ifPresent(found::add);
        }
        return index(found);
    }

    private Optional<Network> network(String name, JsonNode id, String idField, JsonNode parent, String parentField,
            JsonNode mode, String modeField) {
        String problem = interfaceProblem(parent);
        if (problem != null) {
            problems.report("Docker network " + name + ": " + parentField + " is " + describe(parent) + ", expected "
                    + problem + "; containers on it are skipped");
            return Optional.empty();
        }
        if (mode != null && !mode.isNull() && !(mode.isTextual() && (mode.asText().isEmpty()
                || "bridge".equals(mode.asText())))) {
            problems.report("Docker network " + name + " on " + parent.asText() + " skipped: " + modeField + " is "
                    + describe(mode) + "; only containers on a macvlan in bridge mode can reach the host through a shim");
            return Optional.empty();
        }
        String idText = id != null && id.isTextual() && NETWORK_ID.matcher(id.asText()).matches() ? id.asText() : "";
        return Optional.of(new Network(idText, name, parent.asText()));
    }

    private Optional<String> networkName(JsonNode name, String field) {
        if (name == null || !name.isTextual() || !PLAIN_NAME.matcher(name.asText()).matches()) {
            problems.report("Docker network skipped: " + field + " is " + describe(name) + ", expected a name of "
                    + PLAIN_NAME_TEXT);
            return Optional.empty();
        }
        return Optional.of(name.asText());
    }

    private static Networks index(List<Network> networks) {
        Map<String, Network> byId = new HashMap<>();
        Map<String, Network> byName = new HashMap<>();
        for (Network network : networks) {
            if (!network.id().isEmpty()) {
                byId.put(network.id(), network);
            }
            byName.put(network.name(), network);
        }
        return new Networks(Map.copyOf(byId), Map.copyOf(byName));
    }

    /** Every endpoint of every running container in the answer to GET {@value #CONTAINERS_PATH}. */
    public List<Endpoint> endpoints(JsonNode containers, Networks networks) throws SourceException {
        if (containers == null || !containers.isArray()) {
            throw new SourceException("GET " + CONTAINERS_PATH + " answered " + describe(containers)
                    + ", expected an array of containers");
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (JsonNode container : containers) {
            listed(container, networks).ifPresent(found -> endpoints.addAll(found.endpoints()));
        }
        return endpoints;
    }

    /** The containers of the listing by ID, with their names: which name an event about an ID is about. */
    public Map<String, String> names(JsonNode containers) {
        Map<String, String> names = new HashMap<>();
        if (containers != null && containers.isArray()) {
            for (JsonNode container : containers) {
                if (container.isObject() && container.path("Id").isTextual()
                        && ID.matcher(container.get("Id").asText()).matches()) {
                    containerName(container.get("Names"), true).ifPresent(name -> names.put(container.get("Id").asText(), name));
                }
            }
        }
        return names;
    }

    /** One element of the listing: its name is the first of {@code Names}, its state the text {@code State}. */
    private Optional<Container> listed(JsonNode container, Networks networks) {
        if (!container.isObject()) {
            problems.report("Docker container " + abbreviate(container) + " skipped: expected an object");
            return Optional.empty();
        }
        Optional<String> name = containerName(container.get("Names"), true);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        JsonNode state = container.get("State");
        if (state == null || !state.isTextual()) {
            problems.report("Docker container " + name.get() + " skipped: State is " + describe(state)
                    + ", expected a text such as running");
            return Optional.empty();
        }
        // Paused keeps its address on the LAN, and no event is asked for on pause: it stays routed.
        boolean running = "running".equals(state.asText()) || "paused".equals(state.asText());
        String id = container.path("Id").asText("");
        return Optional.of(new Container(id, name.get(), running,
                running ? addresses(name.get(), container.get("NetworkSettings"), networks) : List.of()));
    }

    /**
     * One container, from GET /containers/ID/json (Docker's and Podman's compatible inspect): {@code Name} with its
     * '/', {@code State.Running}. Empty when the answer is unusable (reported).
     */
    public Optional<Container> container(JsonNode inspect, Networks networks) {
        if (inspect == null || !inspect.isObject()) {
            problems.report("Docker container answer " + abbreviate(inspect) + " skipped: expected an object");
            return Optional.empty();
        }
        Optional<String> name = containerName(inspect.get("Name"), false);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        JsonNode running = inspect.path("State").get("Running");
        if (running == null || !running.isBoolean()) {
            problems.report("Docker container " + name.get() + " skipped: State.Running is " + describe(running)
                    + ", expected true or false");
            return Optional.empty();
        }
        String id = inspect.path("Id").asText("");
        return Optional.of(new Container(id, name.get(), running.asBoolean(),
                running.asBoolean() ? addresses(name.get(), inspect.get("NetworkSettings"), networks) : List.of()));
    }

    /** {@code "/d1"} (or {@code ["/d1"]} in the listing) to {@code d1}. */
    private Optional<String> containerName(JsonNode node, boolean list) {
        JsonNode name = node;
        if (list) {
            name = node != null && node.isArray() && !node.isEmpty() ? node.get(0) : null;
        }
        String field = list ? "Names[0]" : "Name";
        if (name == null || !name.isTextual()) {
            problems.report("Docker container skipped: " + field + " is " + describe(list ? node : name)
                    + ", expected a container name");
            return Optional.empty();
        }
        String text = name.asText().startsWith("/") ? name.asText().substring(1) : name.asText();
        if (!PLAIN_NAME.matcher(text).matches()) {
            problems.report("Docker container skipped: " + field + " is " + describe(name) + ", expected a name of "
                    + PLAIN_NAME_TEXT);
            return Optional.empty();
        }
        return Optional.of(text);
    }

    private List<Endpoint> addresses(String container, JsonNode settings, Networks networks) {
        JsonNode attached = settings == null ? null : settings.get("Networks");
        if (attached == null || attached.isNull()) {
            return List.of();
        }
        if (!attached.isObject()) {
            problems.report("Docker container " + container + " skipped: NetworkSettings.Networks is "
                    + describe(attached) + ", expected an object of networks");
            return List.of();
        }
        List<Endpoint> endpoints = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        attached.fieldNames().forEachRemaining(keys::add);
        keys.sort(null);
        for (String key : keys) {
            JsonNode entry = attached.get(key);
            if (!entry.isObject()) {
                problems.report("Docker container " + container + ": NetworkSettings.Networks." + printable(key) + " is "
                        + describe(entry) + ", expected an object; network skipped");
                continue;
            }
            JsonNode networkId = entry.get("NetworkID");
            Optional<Network> network = networks.find(networkId != null && networkId.isTextual() ? networkId.asText() : "",
                    key);
            if (network.isEmpty()) {
                continue;
            }
            Network on = network.get();
            address(container, key, entry, "IPAddress", IpLiterals::parseIpv4Only).ifPresent(address -> endpoints
                    .add(new Endpoint(SOURCE, "", container, on.name(), on.parent(), IpPrefix.host(address))));
            address(container, key, entry, "GlobalIPv6Address", IpLiterals::parseIpv6Only).ifPresent(address -> endpoints
                    .add(new Endpoint(SOURCE, "", container, on.name(), on.parent(), IpPrefix.host(address))));
        }
        return endpoints;
    }

    private Optional<InetAddress> address(String container, String network, JsonNode entry, String field,
            Function<String, ? extends InetAddress> parser) {
        JsonNode text = entry.get(field);
        if (text == null || text.isNull() || text.isTextual() && text.asText().isEmpty()) {
            return Optional.empty();
        }
        String where = "Docker container " + container + ": NetworkSettings.Networks." + printable(network) + "." + field;
        if (!text.isTextual()) {
            problems.report(where + " is " + describe(text) + ", expected an address literal; address skipped");
            return Optional.empty();
        }
        InetAddress address;
        try {
            address = parser.apply(text.asText());
        } catch (IllegalArgumentException e) {
            problems.report(where + " is " + describe(text) + ": " + e.getMessage() + "; address skipped");
            return Optional.empty();
        }
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isMulticastAddress()) {
            problems.report(where + " is " + describe(text) + ", expected a unicast address on the LAN; address skipped");
            return Optional.empty();
        }
        return Optional.of(address);
    }

    /** Whether {@code text} is a container ID as the engines print them (12 to 64 lower-case hex digits). */
    static boolean isId(String text) {
        return ID.matcher(text).matches();
    }

    /** Whether {@code text} is a name this source accepts for a container. */
    static boolean isName(String text) {
        return PLAIN_NAME.matcher(text).matches();
    }
}
