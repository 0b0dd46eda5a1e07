package io.github.macvlanshim.runtime.net;

/**
 * Text from outside (config, LXD, the kernel) as it may appear in a message: in single quotes, control and
 * invisible characters escaped, cut short. A hostile value can then neither forge a second log line nor flood one.
 */
public final class UntrustedText {

    static final int MAX_SHOWN = 100;

    private UntrustedText() {
    }

    /** {@code 'eth0'}, {@code 'eth0\nlink del eth0'}, {@code 'aaaa...'}. */
    public static String quote(String text) {
        return text == null ? "null" : "'" + escape(text) + "'";
    }

    /** The text without quotes: escaped and cut short as in {@link #quote(String)}. */
    public static String escape(String text) {
        StringBuilder shown = new StringBuilder(Math.min(text.length(), MAX_SHOWN) + 8);
        int length = Math.min(text.length(), MAX_SHOWN);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                shown.append("\\n");
            } else if (c == '\r') {
                shown.append("\\r");
            } else if (c == '\t') {
                shown.append("\\t");
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || Character.getType(c) == Character.FORMAT
                    || Character.isSpaceChar(c) && c != ' ') {
                shown.append(String.format("\\u%04x", (int) c));
            } else {
                shown.append(c);
            }
        }
        if (text.length() > MAX_SHOWN) {
            shown.append("...");
        }
        return shown.toString();
    }
}
