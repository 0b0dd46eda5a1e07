package io.github.macvlanshim.runtime.fuzz;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Seeded mutations of captured JSON: the same seed gives the same case, so a failure names its seed and can be
 * replayed. Mutations are made on a copy of the tree (type swaps, deleted keys, duplicated elements, huge
 * strings, unknown fields, hostile addresses and names), then optionally on the text (truncation, a flipped
 * character). Sizes are bounded so ten thousand cases run in seconds.
 */
public final class JsonMutator {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Texts that are not addresses of any family, or not of the one expected, or would read as ip syntax. */
    public static final List<String> HOSTILE_ADDRESSES = List.of("999.1.1.1", "fe80::1%eth0", "example.org", "-batch",
            "1.2.3.4 via 5.6.7.8", "localhost", "198.51.100.7/24", "01.2.3.4", "1.2.3", "::ffff:198.51.100.7",
            "2001:db8::1 dev lo", "", " ", "0.0.0.0", "127.0.0.1", "224.0.0.1", "::1", "::", "ff02::1",
            "198.51.100.7\n", "2001:db8:::1", "2001:db8::g", "dev", "default", "1.2.3.4\u0000", "fe80::1");

    /** Names that must never become an interface name on an ip command line. */
    public static final List<String> HOSTILE_NAMES = List.of("-batch", "dev", "help", "name", "link", "type", "all",
            "default", ".", "..", "eth0 up", "eth0\nlink del eth0", "eth\u0000", "a\tb", "sixteen-bytes-xx",
            "ethé0ethé0ethé0", "\uFFFD\uFFFD", "\uD800x", "eth0/1", "eth0:1", "-", "@x", "", "1.2.3.4 via",
            "x".repeat(300));

    private final Random random;
    private final Set<String> interestingKeys;

    /**
     * @param interestingKeys keys whose values the parser under test acts on; half the mutations aim there, so the
     *        cases are not spent on fields nobody reads
     */
    public JsonMutator(long seed, Set<String> interestingKeys) {
        this.random = new Random(seed);
        this.interestingKeys = interestingKeys;
    }

    public Random random() {
        return random;
    }

    /** A mutated copy of {@code original}'s text: 1-3 tree mutations, and in one case of five a text mutation. */
    public String mutate(JsonNode original) {
        JsonNode root = original.deepCopy();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            root = mutateTree(root);
        }
        return mutateText(write(root));
    }

    /**
     * Like {@link #mutate(JsonNode)} for a stream of JSON values, as {@code ip -batch} prints them one after
     * another: the values are mutated as elements of one array (so one may also go or be doubled), then written
     * one per line.
     */
    public String mutateStream(List<JsonNode> values) {
        JsonNode root = NODES.arrayNode().addAll(values.stream().<JsonNode>map(JsonNode::deepCopy).toList());
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            root = mutateTree(root);
        }
        StringBuilder text = new StringBuilder();
        if (root.isArray()) {
            root.forEach(value -> text.append(write(value)).append('\n'));
        } else {
            text.append(write(root));
        }
        return mutateText(text.toString());
    }

    /** In one case of five, the text itself: cut at a random point, or one character overwritten. */
    private String mutateText(String text) {
        int textual = random.nextInt(10);
        if (textual == 0 && !text.isEmpty()) {
            return text.substring(0, random.nextInt(text.length()));
        }
        if (textual == 1 && !text.isEmpty()) {
            char[] chars = text.toCharArray();
            chars[random.nextInt(chars.length)] = "{}[]\",:0\\\u0000".charAt(random.nextInt(10));
            return new String(chars);
        }
        return text;
    }

    /**
     * A copy of {@code array} in which one element, picked at random, had 1-3 tree mutations.
     *
     * @param victim that element as it was
     */
    public record OneMutated(ArrayNode array, JsonNode victim) {
    }

    /** See {@link OneMutated}: for proving that one bad element never costs the others anything. */
    public OneMutated mutateOneElement(JsonNode array) {
        ArrayNode copy = array.deepCopy();
        int victim = random.nextInt(copy.size());
        JsonNode original = copy.get(victim).deepCopy();
        JsonNode mutated = copy.get(victim);
        for (int m = 1 + random.nextInt(3); m > 0; m--) {
            mutated = mutateTree(mutated);
        }
        copy.set(victim, mutated);
        return new OneMutated(copy, original);
    }

    /** One mutation of a tree; returns the new root (the root itself may be replaced). */
    public JsonNode mutateTree(JsonNode root) {
        List<Slot> slots = new ArrayList<>();
        collect(root, null, null, -1, slots);
        List<Slot> interesting = slots.stream().filter(s -> s.key != null && interestingKeys.contains(s.key)).toList();
        Slot slot = !interesting.isEmpty() && random.nextBoolean() ? pick(interesting) : pick(slots);
        JsonNode value = slot.value;
        switch (random.nextInt(8)) {
            case 0 -> {
                return slot.replace(root, otherType(value));
            }
            case 1 -> {
                if (slot.parent != null) {
                    slot.remove();
                }
                return root;
            }
            case 2 -> {
                if (value.isArray() && value.size() > 0) {
                    ArrayNode array = (ArrayNode) value;
                    JsonNode element = array.get(random.nextInt(array.size()));
                    int copies = 1 + random.nextInt(random.nextInt(10) == 0 ? 500 : 20);
                    for (int i = 0; i < copies; i++) {
                        array.add(element.deepCopy());
                    }
                    return root;
                }
                return slot.replace(root, otherType(value));
            }
            case 3 -> {
                return slot.replace(root, NODES.textNode(huge()));
            }
            case 4 -> {
                if (value.isObject()) {
                    ((ObjectNode) value).set(unknownKey(), randomValue(2));
                    return root;
                }
                return slot.replace(root, randomValue(2));
            }
            case 5 -> {
                return slot.replace(root, NODES.textNode(pick(HOSTILE_ADDRESSES)));
            }
            case 6 -> {
                return slot.replace(root, NODES.textNode(pick(HOSTILE_NAMES)));
            }
            default -> {
                if (value.isObject() && value.size() > 0) {
                    ObjectNode object = (ObjectNode) value;
                    // Renaming a key keeps the value but hides it under a name the parser does not know.
                    List<String> names = new ArrayList<>();
                    object.fieldNames().forEachRemaining(names::add);
                    String name = pick(names);
                    JsonNode moved = object.remove(name);
                    object.set(random.nextBoolean() ? name.toUpperCase() : pick(HOSTILE_NAMES), moved);
                    return root;
                }
                return slot.replace(root, otherType(value));
            }
        }
    }

    private String unknownKey() {
        return random.nextBoolean() ? "x-unknown-" + random.nextInt(100) : pick(HOSTILE_NAMES);
    }

    private String huge() {
        String unit = random.nextBoolean() ? "a" : pick(HOSTILE_NAMES) + pick(HOSTILE_ADDRESSES);
        return unit.repeat(Math.max(1, (50_000 + random.nextInt(50_000)) / Math.max(1, unit.length())));
    }

    /** A value of another JSON type than {@code value}: string, number, array, object, boolean or null. */
    private JsonNode otherType(JsonNode value) {
        for (;;) {
            JsonNode other = randomValue(1);
            if (other.getNodeType() != value.getNodeType()) {
                return other;
            }
        }
    }

    private JsonNode randomValue(int depth) {
        switch (random.nextInt(depth > 0 ? 9 : 7)) {
            case 0:
                return NODES.nullNode();
            case 1:
                return NODES.booleanNode(random.nextBoolean());
            case 2:
                return NODES.numberNode(pick(List.of(0L, -1L, 1L, 255L, 256L, 65536L, 4294967295L, 4294967296L,
                        Long.MAX_VALUE, Long.MIN_VALUE, (long) random.nextInt())));
            case 3:
                return NODES.numberNode(pick(List.of(1.5, -0.0, 1e308, Double.MIN_VALUE)));
            case 4:
                return NODES.textNode(pick(HOSTILE_ADDRESSES));
            case 5:
                return NODES.textNode(pick(HOSTILE_NAMES));
            case 6:
                return NODES.textNode(String.valueOf(random.nextInt(300)));
            case 7: {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(3); i > 0; i--) {
                    array.add(randomValue(depth - 1));
                }
                return array;
            }
            default: {
                ObjectNode object = NODES.objectNode();
                for (int i = random.nextInt(3); i > 0; i--) {
                    object.set(unknownKey(), randomValue(depth - 1));
                }
                return object;
            }
        }
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private static String write(JsonNode root) {
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void collect(JsonNode node, JsonNode parent, String key, int index, List<Slot> into) {
        into.add(new Slot(node, parent, key, index));
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                collect(field.getValue(), node, field.getKey(), -1, into);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), node, key, i, into);
            }
        }
    }

    /** A place in the tree: the root, a field of an object, or an element of an array (key: the array's key). */
    private record Slot(JsonNode value, JsonNode parent, String key, int index) {

        JsonNode replace(JsonNode root, JsonNode replacement) {
            if (parent == null) {
                return replacement;
            }
            if (parent.isArray()) {
                ((ArrayNode) parent).set(index, replacement);
            } else {
                ((ObjectNode) parent).set(key, replacement);
            }
            return root;
        }

        void remove() {
            if (parent.isArray()) {
                ((ArrayNode) parent).remove(index);
            } else {
                ((ObjectNode) parent).remove(key);
            }
        }
    }
}
