package io.github.macvlanshim.runtime.net;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Decides which interface names may reach {@code ip} or {@code sysctl}. Stricter than the kernel on
 * purpose: a name from config or from the kernel can never be read as an option, a keyword or a
 * second argument.
 */
public final class InterfaceNames {

    /** Linux keeps names below IFNAMSIZ (16) bytes, terminator included. */
    public static final int MAX_BYTES = 15;

    /** "all" and "default" would alias the per-family sysctl trees; the rest are words ip reads as keywords. */
    private static final Set<String> RESERVED = Set.of(".", "..", "all", "default", "dev", "help", "name", "link", "type");

    private InterfaceNames() {
    }

    /** Why {@code name} is not acceptable, or null when it is. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "it is empty";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "it is longer than " + MAX_BYTES + " bytes";
        }
        if (!safe(name)) {
            return "it may hold only letters, digits, '_', '.', '@' and '-', and may not start with '-', '.' or '@'"
                    + " (no '/', ':' or whitespace)";
        }
        if (RESERVED.contains(name)) {
            return UntrustedText.quote(name) + " is reserved";
        }
        return null;
    }

    /**
     * As {@code problem(name) == null}, allocating nothing: the kernel read checks the name of every route's device,
     * thousands per read. Safe characters are ASCII, so a safe name has as many bytes as characters.
     */
    public static boolean isValid(String name) {
        return name != null && !name.isEmpty() && name.length() <= MAX_BYTES && safe(name) && !RESERVED.contains(name);
    }

    /** [A-Za-z0-9_][A-Za-z0-9_.@-]*, by hand. */
    private static boolean safe(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean word = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
            if (!word && (i == 0 || c != '.' && c != '@' && c != '-')) {
                return false;
            }
        }
        return true;
    }

    /** Returns {@code name} when it is acceptable; throws naming the problem otherwise. */
    public static String require(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("interface name " + UntrustedText.quote(name) + " is not accepted: " + problem);
        }
        return name;
    }
}
