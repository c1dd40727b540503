package dev.berth.common.net;

import dev.berth.common.error.BerthException;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP address text and arithmetic without DNS: literals only. */
public final class Addresses {

    private Addresses() {
    }

    /** Parses an IPv4 or IPv6 literal; never resolves names. */
    public static InetAddress parse(String text) {
        String literal = text.strip();
        if (literal.isEmpty() || !literal.matches("[0-9A-Fa-f:.]+")) {
            throw BerthException.invalidArgument("not an IP address: " + text);
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw BerthException.invalidArgument("not an IP address: " + text);
        }
    }

    /** Dotted quad for IPv4, RFC 5952 (lower case, longest zero run compressed) for IPv6. */
    public static String format(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder();
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

    public static BigInteger toInteger(InetAddress address) {
        return new BigInteger(1, address.getAddress());
    }

    /** The address of the given family ({@code ipv4} true = 4 bytes) whose value is {@code value}. */
    public static InetAddress fromInteger(BigInteger value, boolean ipv4) {
        int length = ipv4 ? 4 : 16;
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, bytes, length - copy, copy);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("impossible address length " + length, e);
        }
    }

    public static boolean isIpv6(InetAddress address) {
        return address instanceof Inet6Address;
    }
}
