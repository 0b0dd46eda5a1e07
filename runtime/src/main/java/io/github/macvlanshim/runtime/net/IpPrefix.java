package io.github.macvlanshim.runtime.net;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IPv4 or IPv6 prefix with no host bits set, such as {@code 198.51.100.7/32} or {@code 2001:db8::/64}.
 * A host route's destination is a prefix of full length.
 */
public record IpPrefix(InetAddress address, int length) {

    public IpPrefix {
        int bits = address.getAddress().length * 8;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " is outside 0-" + bits);
        }
        if (!hasNoHostBits(address.getAddress(), length)) {
            throw new IllegalArgumentException(IpLiterals.format(address) + "/" + length
                    + " has host bits set; expected the network address of that prefix");
        }
    }

    /** The prefix that holds exactly {@code address}. */
    public static IpPrefix host(InetAddress address) {
        return new IpPrefix(address, address.getAddress().length * 8);
    }

    /** Parses "ADDRESS" (a host prefix) or "ADDRESS/LENGTH"; never resolves a name. */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return host(IpLiterals.parse(text));
        }
        InetAddress address = IpLiterals.parse(text.substring(0, slash));
        String lengthText = text.substring(slash + 1);
        if (!lengthText.matches("[0-9]{1,3}")) {
            throw new IllegalArgumentException(UntrustedText.quote(lengthText) + " is not a prefix length");
        }
        return new IpPrefix(address, Integer.parseInt(lengthText));
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    public boolean isHost() {
        return length == address.getAddress().length * 8;
    }

    /** Whether {@code other} lies inside this prefix. */
    public boolean contains(InetAddress other) {
        byte[] mine = address.getAddress();
        byte[] theirs = other.getAddress();
        if (mine.length != theirs.length) {
            return false;
        }
        for (int bit = 0; bit < length; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((mine[bit / 8] & mask) != (theirs[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Written out, not the record's own: a record's equals and hashCode are bootstrapped through method handles,
     * which a native image runs interpreted, some 20 µs a call where this is nanoseconds. Prefixes are the keys of
     * every route map and set the engine builds, several times per route and reconcile (docs/benchmarks.md, part 5).
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof IpPrefix prefix && length == prefix.length && address.equals(prefix.address);
    }

    @Override
    public int hashCode() {
        return 31 * address.hashCode() + length;
    }

    @Override
    public String toString() {
        return IpLiterals.format(address) + "/" + length;
    }

    private static boolean hasNoHostBits(byte[] bytes, int length) {
        for (int bit = length; bit < bytes.length * 8; bit++) {
            if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                return false;
            }
        }
        return true;
    }
}
