package io.github.macvlanshim.runtime.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Turns the JSON that iproute2 prints into a {@link NetworkState}. Pure: it sees only text. It reads Jackson's
 * streaming parser (routes) and trees (the rest), never binds to classes, so native images need no reflection for it.
 * <p>
 * It expects numeric output ({@code ip -N}): route protocols as numbers whatever /etc/iproute2/rt_protos
 * names them. Routes of every type are kept, each with its type. Anything malformed fails the whole read with one message naming
 * the field, its value and what was expected, so a half-understood kernel state never reaches the planner.
 */
public final class IpJsonParser {

    /** ip leaves "protocol" out for RTPROT_BOOT, the protocol of routes added without one. */
    static final int PROTOCOL_BOOT = 3;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** What an absent array reads as; never changed. */
    private static final JsonNode NO_ELEMENTS = MAPPER.createArrayNode();
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5,19}");

    private IpJsonParser() {
    }

    /**
     * @param linksAndIpv4Routes stdout of {@code ip -N -d -j -batch -} fed "address show" and "route show table main"
     * @param ipv6RoutesProxiesNetconf stdout of {@code ip -N -j -6 -batch -} fed "route show table main",
     *        "neigh show proxy" and "netconf show"
     */
    public static NetworkState parse(String linksAndIpv4Routes, String ipv6RoutesProxiesNetconf) throws HostNetworkException {
        try {
            List<KernelRoute> routes = new ArrayList<>();
            List<JsonNode> first = values(linksAndIpv4Routes, 2, 1, "ip -d -j address show + route show",
                    parser -> routes(parser, Inet4Address.class, "IPv4 route", routes));
            List<JsonNode> second = values(ipv6RoutesProxiesNetconf, 3, 0, "ip -6 -j route show + neigh show proxy + netconf show",
                    parser -> routes(parser, Inet6Address.class, "IPv6 route", routes));
            // The trees: links; proxy neighbours, netconf.
            Map<String, Ipv6Conf> netconf = netconf(second.get(1));
            List<Link> links = new ArrayList<>();
            for (int i = 0; i < first.get(0).size(); i++) {
                link(first.get(0).get(i), "link " + i, netconf).ifPresent(links::add);
            }
            return NetworkState.of(links, routes, proxies(second.get(0)));
        } catch (MalformedException e) {
            throw new HostNetworkException("unexpected ip output: " + e.getMessage());
        } catch (RuntimeException e) {
            // A backstop: whatever slipped past the checks still becomes a checked, named failure.
            throw new HostNetworkException("unexpected ip output: " + e, e);
        }
    }

    /** Reads a route array from the parser, which is at its start, to its end. */
    @FunctionalInterface
    private interface RouteReader {
        void read(JsonParser parser) throws IOException;
    }

    /**
     * The {@code expected} JSON arrays of {@code text}. The one at {@code routesAt} (0-based) holds routes: it is read
     * as it streams by, with {@code routes}; the others become trees, returned in order. A host's routes can be
     * thousands, and a tree of them was the largest allocation of a reconcile.
     */
    private static List<JsonNode> values(String text, int expected, int routesAt, String what, RouteReader routes) {
        List<JsonNode> trees = new ArrayList<>();
        try (JsonParser parser = MAPPER.createParser(text)) {
            int found = 0;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                found++;
                if (token != JsonToken.START_ARRAY) {
                    throw new MalformedException(what + ": value " + found + " is " + shorten(tree(parser)) + ", expected a JSON array");
                }
                if (found == routesAt + 1) {
                    routes.read(parser);
                } else if (found <= expected) {
                    trees.add(MAPPER.readTree(parser));
                } else {
                    parser.skipChildren();
                }
            }
            if (found != expected) {
                throw new MalformedException(what + ": expected " + expected + " JSON arrays, found " + found);
            }
        } catch (JsonProcessingException e) {
            throw new MalformedException(what + ": not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new MalformedException(what + ": unreadable (" + e.getMessage() + ")");
        }
        return trees;
    }

    /** The value the parser is at, as a tree: a scalar is made by hand, without a deserialization context each. */
    private static JsonNode tree(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_STRING -> TextNode.valueOf(parser.getText());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.getInstance();
            case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.INT ? IntNode.valueOf(parser.getIntValue())
                    : MAPPER.readTree(parser);
            default -> MAPPER.readTree(parser);
        };
    }

    /**
     * A link, or none when its name is one macvlan-shim never uses (the kernel allows more than {@link InterfaceNames}
     * does): such a link can be neither a shim nor a parent, and leaving it out keeps its name away from ip.
     */
    private static Optional<Link> link(JsonNode node, String where, Map<String, Ipv6Conf> netconf) {
        requireObject(node, where);
        String name = text(node, "ifname", where);
        if (!InterfaceNames.isValid(name)) {
            return Optional.empty();
        }
        where = where + " (" + name + ")";
        int index = integer(node, "ifindex", where);
        int mtu = integer(node, "mtu", where);
        boolean up = false;
        boolean carrier = false;
        JsonNode flags = optionalArray(node, "flags", where);
        for (int i = 0; i < flags.size(); i++) {
            String flag = elementText(flags.get(i), "flags", i, where);
            up |= "UP".equals(flag);
            carrier |= "LOWER_UP".equals(flag);
        }
        Optional<String> kind = Optional.empty();
        Optional<String> mode = Optional.empty();
        JsonNode linkinfo = node.get("linkinfo");
        if (present(linkinfo)) {
            requireObject(linkinfo, where + " linkinfo");
            kind = optionalText(linkinfo, "info_kind", where + " linkinfo");
            JsonNode data = linkinfo.get("info_data");
            if (kind.filter("macvlan"::equals).isPresent() && present(data)) {
                requireObject(data, where + " linkinfo.info_data");
                mode = optionalText(data, "mode", where + " linkinfo.info_data");
            }
        }
        Optional<String> parent = optionalText(node, "link", where).filter(InterfaceNames::isValid);
        List<LinkAddress> addresses = new ArrayList<>();
        JsonNode addrInfo = optionalArray(node, "addr_info", where);
        for (int i = 0; i < addrInfo.size(); i++) {
            address(addrInfo.get(i), where + " addr_info[" + i + "]").ifPresent(addresses::add);
        }
        Ipv6Conf ipv6 = netconf.getOrDefault(name, Ipv6Conf.OFF);
        Optional<String> alias = optionalText(node, "ifalias", where).filter(a -> !a.isEmpty());
        // Shown to operators: anything but a plain MAC is left out rather than echoed.
        String mac = optionalText(node, "address", where).map(a -> a.toLowerCase(java.util.Locale.ROOT))
                .filter(a -> MAC.matcher(a).matches()).orElse("");
        return Optional.of(new Link(name, index, kind, mode, parent, mtu, up, addresses, ipv6.forwarding(), ipv6.proxyNdp(),
                mac, carrier, alias));
    }

    private static Optional<LinkAddress> address(JsonNode node, Object where) {
        requireObject(node, where);
        String family = text(node, "family", where);
        Class<? extends InetAddress> type = switch (family) {
            case "inet" -> Inet4Address.class;
            case "inet6" -> Inet6Address.class;
            default -> null;
        };
        if (type == null) {
            return Optional.empty();
        }
        InetAddress local = address(node, "local", type, where);
        int prefixLength = integer(node, "prefixlen", where);
        int bits = local.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new MalformedException(where + ": field 'prefixlen' is " + prefixLength + ", expected 0-" + bits);
        }
        LinkAddress.Scope scope = scope(text(node, "scope", where));
        return Optional.of(new LinkAddress(local, prefixLength, scope, bool(node, "tentative", false, where)));
    }

    /** With -N the scope is a number (rtnetlink's rt_scope_t); the names are accepted too. */
    private static LinkAddress.Scope scope(String text) {
        return switch (text) {
            case "0", "global", "universe" -> LinkAddress.Scope.GLOBAL;
            case "253", "link" -> LinkAddress.Scope.LINK;
            case "254", "host" -> LinkAddress.Scope.HOST;
            default -> LinkAddress.Scope.OTHER;
        };
    }

    /**
     * The routes of the array the parser is at, read as they stream by: only the fields a route is made of become
     * values, each checked as a tree's would be (the same messages); the others are skipped unread.
     */
    private static void routes(JsonParser parser, Class<? extends InetAddress> family, String what, List<KernelRoute> into)
            throws IOException {
        int i = 0;
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken(), i++) {
            Place where = new Place(what, i, null);
            if (token != JsonToken.START_OBJECT) {
                requireObject(tree(parser), where);
            }
            JsonNode type = null;
            JsonNode dst = null;
            JsonNode dev = null;
            JsonNode gateway = null;
            JsonNode prefsrc = null;
            JsonNode protocol = null;
            JsonNode metric = null;
            JsonNode flags = null;
            for (String field = parser.nextFieldName(); field != null; field = parser.nextFieldName()) {
                parser.nextToken();
                switch (field) {
                    case "type" -> type = tree(parser);
                    case "dst" -> dst = tree(parser);
                    case "dev" -> dev = tree(parser);
                    case "gateway" -> gateway = tree(parser);
                    case "prefsrc" -> prefsrc = tree(parser);
                    case "protocol" -> protocol = tree(parser);
                    case "metric" -> metric = tree(parser);
                    case "flags" -> flags = tree(parser);
                    default -> parser.skipChildren();
                }
            }
            // Checked in the order a tree's fields were, so a route with two faults is named for the same one.
            // Every type is kept: a blackhole or unreachable route to a wanted address is in the way as much as
            // a unicast one, and hiding it would make the planner add a route the kernel refuses.
            KernelRoute.Type routeType = type != null ? routeType(type, where) : KernelRoute.Type.UNICAST;
            String destinationText = optionalTextValue(dst, "dst", where)
                    .orElseThrow(() -> new MalformedException(where + ": field 'dst' is missing, expected a string"));
            Place named = new Place(what, i, destinationText);
            IpPrefix destination = destination(destinationText, family, named);
            // A device with a name we never use is read as none: the route is still matched, and deleted when owned,
            // by destination, protocol and metric alone, and the name never reaches ip.
            Optional<String> device = optionalTextValue(dev, "dev", named).filter(InterfaceNames::isValid);
            Optional<InetAddress> via = addressValue(gateway, "gateway", family, named);
            Optional<InetAddress> source = addressValue(prefsrc, "prefsrc", family, named);
            int protocolNumber = protocol != null ? number(protocol, "protocol", named) : PROTOCOL_BOOT;
            int metricNumber = metric != null ? unsigned32Value(metric, "metric", named) : 0;
            boolean linkdown = false;
            JsonNode flagList = arrayValue(flags, "flags", named);
            for (int f = 0; f < flagList.size(); f++) {
                linkdown |= "linkdown".equals(elementText(flagList.get(f), "flags", f, named));
            }
            into.add(new KernelRoute(destination, device, via, source, protocolNumber, metricNumber, routeType, linkdown));
        }
    }

    /** With -N the type is rtm_type as a number; the words are accepted too. */
    private static KernelRoute.Type routeType(JsonNode value, Object where) {
        if (value.isTextual()) {
            Optional<KernelRoute.Type> named = KernelRoute.Type.ofWord(value.textValue());
            if (named.isPresent()) {
                return named.get();
            }
        }
        return KernelRoute.Type.of(number(value, "type", where));
    }

    private static IpPrefix destination(String dst, Class<? extends InetAddress> family, Object where) {
        if (dst.equals("default")) {
            return family == Inet4Address.class ? IpPrefix.parse("0.0.0.0/0") : IpPrefix.parse("::/0");
        }
        IpPrefix prefix;
        try {
            prefix = IpPrefix.parse(dst);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(where + ": field 'dst' is " + UntrustedText.quote(dst) + ", expected \"default\" or an "
                    + familyName(family) + " prefix: " + e.getMessage());
        }
        if (!family.isInstance(prefix.address())) {
            throw new MalformedException(where + ": field 'dst' is " + UntrustedText.quote(dst) + ", expected an " + familyName(family) + " prefix");
        }
        return prefix;
    }

    private static Set<ProxyNeighbour> proxies(JsonNode array) {
        Set<ProxyNeighbour> proxies = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            String where = "proxy neighbour " + i;
            JsonNode node = array.get(i);
            requireObject(node, where);
            Inet6Address address = (Inet6Address) address(node, "dst", Inet6Address.class, where);
            String device = text(node, "dev", where);
            // One on a device with a name we never use cannot be on a shim of ours.
            if (InterfaceNames.isValid(device)) {
                proxies.add(new ProxyNeighbour(address, device));
            }
        }
        return proxies;
    }

    /** Per-interface IPv6 settings; an interface without an entry (IPv6 disabled) has both off. */
    private record Ipv6Conf(boolean forwarding, boolean proxyNdp) {
        static final Ipv6Conf OFF = new Ipv6Conf(false, false);
    }

    private static Map<String, Ipv6Conf> netconf(JsonNode array) {
        Map<String, Ipv6Conf> settings = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            String where = "netconf " + i;
            JsonNode node = array.get(i);
            requireObject(node, where);
            if (!"inet6".equals(optionalText(node, "family", where).orElse("inet6"))) {
                continue;
            }
            String name = text(node, "interface", where);
            where = where + " (" + UntrustedText.escape(name) + ")";
            settings.put(name, new Ipv6Conf(requiredBool(node, "forwarding", where), requiredBool(node, "proxy_neigh", where)));
        }
        return settings;
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    private static void requireObject(JsonNode node, Object where) {
        if (!node.isObject()) {
            throw new MalformedException(where + " is " + shorten(node) + ", expected a JSON object");
        }
    }

    private static String text(JsonNode node, String field, Object where) {
        return optionalText(node, field, where)
                .orElseThrow(() -> new MalformedException(where + ": field '" + field + "' is missing, expected a string"));
    }

    private static Optional<String> optionalText(JsonNode node, String field, Object where) {
        return optionalTextValue(node.get(field), field, where);
    }

    /** As {@link #optionalText}, given the field's value (null when absent). */
    private static Optional<String> optionalTextValue(JsonNode value, String field, Object where) {
        if (!present(value)) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new MalformedException(where + ": field '" + field + "' is " + shorten(value) + ", expected a string");
        }
        return Optional.of(value.textValue());
    }

    private static String elementText(JsonNode value, String field, int index, Object where) {
        if (!value.isTextual()) {
            throw new MalformedException(where + ": " + field + "[" + index + "] is " + shorten(value) + ", expected a string");
        }
        return value.textValue();
    }

    private static JsonNode optionalArray(JsonNode node, String field, Object where) {
        return arrayValue(node.get(field), field, where);
    }

    /** As {@link #optionalArray}, given the field's value (null when absent). */
    private static JsonNode arrayValue(JsonNode value, String field, Object where) {
        if (!present(value)) {
            return NO_ELEMENTS;
        }
        if (!value.isArray()) {
            throw new MalformedException(where + ": field '" + field + "' is " + shorten(value) + ", expected an array");
        }
        return value;
    }

    private static int integer(JsonNode node, String field, Object where) {
        JsonNode value = node.get(field);
        if (!present(value)) {
            throw new MalformedException(where + ": field '" + field + "' is missing, expected a number");
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
            throw new MalformedException(where + ": field '" + field + "' is " + shorten(value)
                    + ", expected a whole number from 0 to " + Integer.MAX_VALUE);
        }
        return value.intValue();
    }

    /** A route metric is a u32; kept in an int's bits, as {@link KernelRoute#metric()} does. */
    private static int unsigned32Value(JsonNode value, String field, Object where) {
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0 || value.longValue() > 0xFFFF_FFFFL) {
            throw new MalformedException(where + ": field '" + field + "' is " + shorten(value)
                    + ", expected a whole number from 0 to 4294967295");
        }
        return (int) value.longValue();
    }

    /** A protocol comes as a numeric string with -N; a bare number is taken as well. */
    private static int number(JsonNode value, String field, Object where) {
        if (value.isIntegralNumber() && value.canConvertToInt() && value.intValue() >= 0 && value.intValue() <= 255) {
            return value.intValue();
        }
        if (value.isTextual()) {
            int number = smallNumber(value.textValue());
            if (number >= 0) {
                return number;
            }
        }
        throw new MalformedException(where + ": field '" + field + "' is " + shorten(value)
                + ", expected a number from 0 to 255 (is ip run with -N?)");
    }

    /**
     * {@code text} as a number from 0 to 255 (one to three ASCII digits), or -1. By hand: this runs for every route's
     * protocol and type at every read, and a regular expression compiled each time was most of what a read allocated.
     */
    static int smallNumber(String text) {
        if (text.isEmpty() || text.length() > 3) {
            return -1;
        }
        int number = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            number = number * 10 + (c - '0');
        }
        return number <= 255 ? number : -1;
    }

    private static boolean bool(JsonNode node, String field, boolean absent, Object where) {
        JsonNode value = node.get(field);
        if (!present(value)) {
            return absent;
        }
        if (!value.isBoolean()) {
            throw new MalformedException(where + ": field '" + field + "' is " + shorten(value) + ", expected true or false");
        }
        return value.booleanValue();
    }

    private static boolean requiredBool(JsonNode node, String field, Object where) {
        if (!present(node.get(field))) {
            throw new MalformedException(where + ": field '" + field + "' is missing, expected true or false");
        }
        return bool(node, field, false, where);
    }

    private static InetAddress address(JsonNode node, String field, Class<? extends InetAddress> family, Object where) {
        return optionalAddress(node, field, family, where)
                .orElseThrow(() -> new MalformedException(where + ": field '" + field + "' is missing, expected an "
                        + familyName(family) + " address"));
    }

    private static Optional<InetAddress> optionalAddress(JsonNode node, String field, Class<? extends InetAddress> family,
            Object where) {
        return addressValue(node.get(field), field, family, where);
    }

    /** As {@link #optionalAddress}, given the field's value (null when absent). */
    private static Optional<InetAddress> addressValue(JsonNode value, String field, Class<? extends InetAddress> family,
            Object where) {
        Optional<String> text = optionalTextValue(value, field, where);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        InetAddress address;
        try {
            address = family == Inet4Address.class ? IpLiterals.parseIpv4Only(text.get()) : IpLiterals.parseIpv6Only(text.get());
        } catch (IllegalArgumentException e) {
            throw new MalformedException(where + ": field '" + field + "' is " + UntrustedText.quote(text.get()) + ", expected an "
                    + familyName(family) + " address: " + e.getMessage());
        }
        return Optional.of(address);
    }

    private static String familyName(Class<? extends InetAddress> family) {
        return family == Inet4Address.class ? "IPv4" : "IPv6";
    }

    private static String shorten(JsonNode node) {
        String text = node.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    /**
     * Where in the output a value is, as a message names it: "IPv4 route 3 (198.51.100.7)". A route's is written out only
     * when a message is: a read of a thousand routes made two strings per route for messages that were never needed.
     */
    private record Place(String what, int index, String dst) {
        @Override
        public String toString() {
            return what + " " + index + (dst == null ? "" : " (" + UntrustedText.escape(dst) + ")");
        }
    }

    /** Internal signal, always turned into a {@link HostNetworkException} before leaving the parser. */
    private static final class MalformedException extends RuntimeException {
        MalformedException(String message) {
            super(message, null, false, false);
        }
    }
}
