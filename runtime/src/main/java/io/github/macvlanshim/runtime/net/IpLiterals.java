package io.github.macvlanshim.runtime.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Parses IP address literals without ever asking a resolver.
 * <p>
 * {@link InetAddress#getByName(String)} falls back to DNS for anything that is not a literal, so it is
 * only called on text that can only be an IPv6 literal (it contains ':' and nothing but hex digits,
 * ':' and '.'), a path on which the JDK never resolves. IPv4 text is parsed here, strictly: four decimal
 * octets, no leading zeros (which some tools read as octal).
 */
public final class IpLiterals {

    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private IpLiterals() {
    }

    /** The address {@code text} spells, or an {@link IllegalArgumentException} saying why it is not a literal. */
    public static InetAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty text is not an IP address");
        }
        if (isIpv4Literal(text)) {
            return parseIpv4(text);
        }
        if (IPV6.matcher(text).matches()) {
            try {
                InetAddress parsed = InetAddress.getByName(text);
                if (parsed instanceof Inet4Address) {
                    throw new IllegalArgumentException(UntrustedText.quote(text) + " is an IPv4-mapped IPv6 address; write the IPv4 address itself");
                }
                return parsed;
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(UntrustedText.quote(text) + " is not a valid IPv6 literal");
            }
        }
        throw new IllegalArgumentException(UntrustedText.quote(text) + " is not an IPv4 or IPv6 literal (host names are not resolved)");
    }

    /** Like {@link #parse(String)}, but the address must be IPv4. */
    public static Inet4Address parseIpv4Only(String text) {
        InetAddress address = parse(text);
        if (address instanceof Inet4Address v4) {
            return v4;
        }
        throw new IllegalArgumentException(UntrustedText.quote(text) + " is an IPv6 address, not IPv4");
    }

    /** Like {@link #parse(String)}, but the address must be IPv6. */
    public static Inet6Address parseIpv6Only(String text) {
        InetAddress address = parse(text);
        if (address instanceof Inet6Address v6) {
            if (v6.getScopeId() != 0 || v6.getScopedInterface() != null) {
                throw new IllegalArgumentException(UntrustedText.quote(text) + " carries a scope id; expected a plain IPv6 address");
            }
            return v6;
        }
        throw new IllegalArgumentException(UntrustedText.quote(text) + " is an IPv4 address, not IPv6");
    }

    /**
     * Whether {@code text} is four runs of digits between dots, each "0" or 1-3 digits with no leading zero (the octets'
     * range is checked when read): {@code (0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}}, by hand. A kernel read
     * parses every route's destination and gateway, and a regular expression's matcher was most of what that allocated.
     */
    static boolean isIpv4Literal(String text) {
        int octets = 0;
        int digits = 0;
        boolean leadingZero = false;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || ++octets > 4) {
                    return false;
                }
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (leadingZero && digits == 1 || digits == 3) {
                    return false;
                }
                leadingZero = digits == 0 ? c == '0' : leadingZero;
                digits++;
            } else {
                return false;
            }
        }
        return octets == 4;
    }

    /** {@code text} is {@link #isIpv4Literal}: four runs of 1-3 digits between dots, read without splitting. */
    private static Inet4Address parseIpv4(String text) {
        byte[] bytes = new byte[4];
        int at = 0;
        for (int i = 0; i < 4; i++) {
            int octet = 0;
            while (at < text.length() && text.charAt(at) != '.') {
                octet = octet * 10 + (text.charAt(at++) - '0');
            }
            at++;
            if (octet > 255) {
                throw new IllegalArgumentException(UntrustedText.quote(text) + " is not a valid IPv4 literal: octet " + octet + " is over 255");
            }
            bytes[i] = (byte) octet;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    /** The canonical text of an address: dotted quad, or RFC 5952 compressed IPv6 ({@code 2001:db8::1}). */
    public static String format(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8;) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
