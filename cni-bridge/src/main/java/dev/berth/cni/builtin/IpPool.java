package dev.berth.cni.builtin;

import dev.berth.cni.net.Cidr;
import dev.berth.common.error.BerthException;
import java.math.BigInteger;
import java.net.InetAddress;

/**
 * One subnet handed out by the built-in IPAM: the first host address is the gateway on the bridge, pods get the
 * rest (IPv4 without the broadcast address).
 */
record IpPool(Cidr subnet) {

    IpPool {
        int maxPrefix = subnet.isIpv4() ? 30 : 126;
        if (subnet.prefixLength() > maxPrefix) {
            throw BerthException.invalidArgument("subnet " + subnet + " is too small for pods (at most /"
                    + maxPrefix + ")");
        }
    }

    static IpPool parse(String cidr) {
        return new IpPool(Cidr.parse(cidr));
    }

    InetAddress gateway() {
        return subnet.addressAt(1);
    }

    BigInteger firstHost() {
        return subnet.first().add(BigInteger.TWO);
    }

    BigInteger lastHost() {
        return subnet.isIpv4() ? subnet.last().subtract(BigInteger.ONE) : subnet.last();
    }

    /** A file-name-safe key for this pool's per-pool state. */
    String key() {
        return (subnet.isIpv4() ? "v4-" : "v6-") + subnet.toString().replace(':', '_').replace('/', '_');
    }

    boolean isIpv4() {
        return subnet.isIpv4();
    }
}
