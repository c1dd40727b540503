package dev.berth.cni.net;

import dev.berth.common.error.BerthException;
import dev.berth.common.net.Addresses;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;

/** A subnet: network address and prefix length, host bits cleared. */
public record Cidr(InetAddress network, int prefixLength) {

    public Cidr {
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw BerthException.invalidArgument("invalid prefix length /" + prefixLength);
        }
        BigInteger value = Addresses.toInteger(network);
        BigInteger mask = hostMask(bits, prefixLength);
        network = Addresses.fromInteger(value.andNot(mask), bits == 32);
    }

    /** Parses {@code 10.89.0.0/16} or {@code fd00::/64}; host bits are cleared. */
    public static Cidr parse(String text) {
        if (text == null) {
            throw BerthException.invalidArgument("missing subnet");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw BerthException.invalidArgument("subnet needs a prefix length: " + text);
        }
        InetAddress address = Addresses.parse(text.substring(0, slash));
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1).strip());
        } catch (NumberFormatException e) {
            throw BerthException.invalidArgument("invalid prefix length in " + text);
        }
        return new Cidr(address, prefix);
    }

    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    public int bits() {
        return isIpv4() ? 32 : 128;
    }

    public BigInteger first() {
        return Addresses.toInteger(network);
    }

    public BigInteger last() {
        return first().or(hostMask(bits(), prefixLength));
    }

    public boolean contains(InetAddress address) {
        if ((address instanceof Inet4Address) != isIpv4()) {
            return false;
        }
        BigInteger value = Addresses.toInteger(address);
        return value.compareTo(first()) >= 0 && value.compareTo(last()) <= 0;
    }

    /** The address {@code offset} places after the network address. */
    public InetAddress addressAt(long offset) {
        return Addresses.fromInteger(first().add(BigInteger.valueOf(offset)), isIpv4());
    }

    @Override
    public String toString() {
        return Addresses.format(network) + "/" + prefixLength;
    }

    private static BigInteger hostMask(int bits, int prefix) {
        return BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
    }
}
