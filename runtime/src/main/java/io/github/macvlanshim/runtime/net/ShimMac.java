package io.github.macvlanshim.runtime.net;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A shim's stable MAC address. A shim deleted and created again with a new random MAC leaves every instance
 * sending to the old one until its neighbour entry times out (38.7 s, measured); with the same MAC the repair
 * is a repair for the instances too.
 */
public final class ShimMac {

    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    private ShimMac() {
    }

    /**
     * A locally administered unicast MAC derived from the machine id, the namespace and the shim's name: the same
     * on every start on this machine, different for every shim, namespace and machine. Hashing keeps the machine
     * id itself from showing on the LAN.
     */
    public static String derive(String machineId, String namespace, String shim) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256")
                    .digest(("macvlan-shim\n" + machineId.strip() + "\n" + namespace + "\n" + shim)
                            .getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
        byte[] mac = new byte[6];
        System.arraycopy(digest, 0, mac, 0, 6);
        // Bit 0 clear: unicast; bit 1 set: locally administered, never a vendor's address.
        mac[0] = (byte) ((mac[0] & 0xfc) | 0x02);
        return HexFormat.ofDelimiter(":").formatHex(mac);
    }

    /**
     * The MAC in lower case, or throws naming what is wrong: six colon-separated hex pairs, unicast, not all zero.
     */
    public static String require(String text) {
        String mac = text.strip().toLowerCase(Locale.ROOT);
        if (!MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException(UntrustedText.quote(text)
                    + " is not a MAC address; expected six hex pairs separated by ':' such as 02:00:5e:10:00:01");
        }
        int first = Integer.parseInt(mac.substring(0, 2), 16);
        if ((first & 0x01) != 0) {
            throw new IllegalArgumentException("'" + mac + "' is a multicast address; expected a unicast MAC (first byte even)"
                    + " such as 02:00:5e:10:00:01");
        }
        if (mac.equals("00:00:00:00:00:00")) {
            throw new IllegalArgumentException("'" + mac + "' is all zero; expected a unicast MAC such as 02:00:5e:10:00:01");
        }
        return mac;
    }
}
