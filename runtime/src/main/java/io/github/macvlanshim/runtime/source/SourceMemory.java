package io.github.macvlanshim.runtime.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.macvlanshim.runtime.net.InterfaceNames;
import io.github.macvlanshim.runtime.net.IpPrefix;
import io.github.macvlanshim.runtime.net.UntrustedText;

/**
 * Each source's last good endpoints, kept in a small JSON file so that they outlive a restart: an agent that
 * starts while LXD is down keeps routing what LXD last said instead of removing it. Written whole to a temporary
 * file and renamed over the old one, so a reader (or a crash) never sees half a file. A file that is missing is a
 * first start; one that cannot be used is one clear line and a fresh start, never a crash.
 */
public final class SourceMemory {

    static final int VERSION = 1;

    private static final Logger LOG = Logger.getLogger(SourceMemory.class);
    /** Far above any real host (thousands of endpoints are a few hundred kB); refuses a file that is not ours. */
    private static final long MAX_BYTES = 16L << 20;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+@-]{0,62}");

    private static final String NAME_TEXT = "1-63 letters, digits, '_', '.', '+', '@' and '-'";

    private final Optional<Path> file;
    private final boolean writable;
    private final ObjectMapper json = new ObjectMapper();
    private Map<String, List<Endpoint>> saved = Map.of();

    private SourceMemory(Optional<Path> file, boolean writable) {
        this.file = file;
        this.writable = writable;
    }

    /** A memory kept in {@code file}. */
    public static SourceMemory at(Path file) {
        return new SourceMemory(Optional.of(file), true);
    }

    /** What {@code file} holds, never written: a dry run changes nothing, its own state file included. */
    public static SourceMemory readOnly(Path file) {
        return new SourceMemory(Optional.of(file), false);
    }

    /** No memory: every start is a first start (tests, or {@code state-file=none}). */
    public static SourceMemory none() {
        return new SourceMemory(Optional.empty(), false);
    }

    public Optional<Path> file() {
        return file;
    }

    /** What was saved, by source name; empty when there is no usable file (said once in the log). */
    public synchronized Map<String, List<Endpoint>> load() {
        if (file.isEmpty()) {
            return Map.of();
        }
        Path path = file.get();
        String text;
        try {
            if (Files.size(path) > MAX_BYTES) {
                LOG.warnf("state file %s ignored: larger than %d bytes, expected a macvlan-shim state file; starting"
                        + " afresh (sources must answer before anything they added is removed)", path, MAX_BYTES);
                return Map.of();
            }
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            LOG.debugf("state file %s does not exist yet: first start", path);
            return Map.of();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("state file %s cannot be read (%s); starting afresh", path, e);
            return Map.of();
        }
        try {
            saved = parse(text, json);
            return saved;
        } catch (IllegalArgumentException e) {
            LOG.warnf("state file %s ignored: %s; starting afresh", path, e.getMessage());
            return Map.of();
        }
    }

    /**
     * Saves {@code endpoints} (by source name) when they differ from what the file holds. A failure to write is
     * logged, not thrown: routing goes on, only the memory across a restart is lost.
     */
    public synchronized void save(Map<String, List<Endpoint>> endpoints) {
        if (!writable || endpoints.equals(saved)) {
            return;
        }
        Path path = file.get();
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            byte[] bytes = render(endpoints, json).getBytes(StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            try {
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
            }
            saved = Map.copyOf(endpoints);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("state file %s cannot be written (%s): the sources' endpoints will not outlive a restart", path, e);
        }
    }

    static String render(Map<String, List<Endpoint>> endpoints, ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        root.put("version", VERSION);
        ObjectNode sources = root.putObject("sources");
        endpoints.forEach((source, list) -> {
            ArrayNode array = sources.putArray(source);
            for (Endpoint endpoint : list) {
                ObjectNode node = array.addObject();
                node.put("project", endpoint.project());
                node.put("instance", endpoint.instance());
                node.put("nic", endpoint.nic());
                node.put("parent", endpoint.parent());
                node.put("prefix", endpoint.prefix().toString());
            }
        });
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the state file", e);
        }
    }

    /** Parses a state file whole, or throws naming the first field that is not as expected. */
    static Map<String, List<Endpoint>> parse(String text, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (" + UntrustedText.escape(e.getOriginalMessage()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("it is empty or not a JSON object");
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isInt() || version.intValue() != VERSION) {
            throw new IllegalArgumentException("version is " + shown(version) + ", expected " + VERSION);
        }
        JsonNode sources = root.get("sources");
        if (sources == null || !sources.isObject()) {
            throw new IllegalArgumentException("sources is " + shown(sources) + ", expected an object");
        }
        Map<String, List<Endpoint>> result = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = sources.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            String source = entry.getKey();
            if (!NAME.matcher(source).matches()) {
                throw new IllegalArgumentException("source name " + UntrustedText.quote(source)
                        + " is not " + NAME_TEXT);
            }
            if (!entry.getValue().isArray()) {
                throw new IllegalArgumentException("sources." + source + " is " + shown(entry.getValue())
                        + ", expected an array of endpoints");
            }
            List<Endpoint> endpoints = new ArrayList<>();
            int index = 0;
            for (JsonNode node : entry.getValue()) {
                endpoints.add(endpoint(source, node, "sources." + source + "[" + index++ + "]"));
            }
            result.put(source, List.copyOf(endpoints));
        }
        return result;
    }

    private static Endpoint endpoint(String source, JsonNode node, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " is " + shown(node) + ", expected an object");
        }
        String project = text(node, where, "project", true);
        String instance = text(node, where, "instance", false);
        String nic = text(node, where, "nic", true);
        String parent = raw(node, where, "parent");
        String problem = InterfaceNames.problem(parent);
        if (problem != null) {
            throw new IllegalArgumentException(where + ".parent is " + UntrustedText.quote(parent)
                    + ", expected an interface name (" + problem + ")");
        }
        String prefixText = raw(node, where, "prefix");
        IpPrefix prefix;
        try {
            prefix = IpPrefix.parse(prefixText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ".prefix is " + UntrustedText.quote(prefixText)
                    + ", expected an address literal with its prefix length (" + e.getMessage() + ")");
        }
        return new Endpoint(source, project, instance, nic, parent, prefix);
    }

    /** A name of the source's own (project, instance, NIC): "" only where {@code mayBeEmpty}. */
    private static String text(JsonNode node, String where, String field, boolean mayBeEmpty) {
        String text = raw(node, where, field);
        if (text.isEmpty() ? !mayBeEmpty : !NAME.matcher(text).matches()) {
            throw new IllegalArgumentException(where + "." + field + " is " + UntrustedText.quote(text)
                    + ", expected " + NAME_TEXT);
        }
        return text;
    }

    private static String raw(JsonNode node, String where, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException(where + "." + field + " is " + shown(value) + ", expected a text");
        }
        return value.asText();
    }

    private static String shown(JsonNode node) {
        if (node == null) {
            return "missing";
        }
        String text = node.toString();
        return UntrustedText.quote(text.length() > 60 ? text.substring(0, 60) + "..." : text);
    }
}
