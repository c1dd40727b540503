package dev.berth.cni;

import dev.berth.common.net.Addresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/** One address of a pod's interface, with its prefix length and the gateway its default route uses. */
public record PodIp(InetAddress address, int prefixLength, Optional<InetAddress> gateway) {

    public PodIp {
        if (address == null || gateway == null) {
            throw new IllegalArgumentException("address and gateway must not be null");
        }
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** The address as the CRI wants it: dotted quad or RFC 5952 text, no prefix. */
    public String addressText() {
        return Addresses.format(address);
    }

    /** The address with its prefix, e.g. {@code 10.89.0.5/16}. */
    public String cidr() {
        return addressText() + "/" + prefixLength;
    }

    @Override
    public String toString() {
        return cidr();
    }
}
