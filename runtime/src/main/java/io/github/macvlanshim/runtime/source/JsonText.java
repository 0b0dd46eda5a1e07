package io.github.macvlanshim.runtime.source;

import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.github.macvlanshim.runtime.net.InterfaceNames;

/**
 * Values from a daemon's JSON answer as they may appear in a problem line: short, and quoted and escaped by JSON's
 * rules when they are not plain, so a hostile answer can neither forge a second log line nor flood one. What the
 * LXD/Incus and Docker/Podman parsers say of the values they skip.
 */
public final class JsonText {

    private static final int MAX_SHOWN = 80;
    private static final Pattern PRINTABLE = Pattern.compile("[!-~&&[^\"]]{1," + MAX_SHOWN + "}");

    private JsonText() {
    }

    /** A JSON value as it appears, short: "missing", "null", "42", "\"eth0\"", "an array". */
    public static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        if (node.isContainerNode()) {
            return node.isArray() ? "an array" : "an object";
        }
        return abbreviate(node);
    }

    /** A text from the answer (a key, a name): as it is when plain, else quoted and escaped, short. */
    public static String printable(String text) {
        return PRINTABLE.matcher(text).matches() ? text : abbreviate(TextNode.valueOf(text));
    }

    /** A JSON value written out, cut to {@value #MAX_SHOWN} characters. */
    public static String abbreviate(JsonNode node) {
        String text = String.valueOf(node);
        return text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN - 3) + "..." : text;
    }

    /** Null when {@code node} is a text that is an interface name; otherwise what was expected instead. */
    public static String interfaceProblem(JsonNode node) {
        if (node == null || !node.isTextual()) {
            return "an interface name";
        }
        String problem = InterfaceNames.problem(node.asText());
        return problem == null ? null : "an interface name (" + problem + ")";
    }
}
