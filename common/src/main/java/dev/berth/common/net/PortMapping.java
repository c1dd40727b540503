package dev.berth.common.net;

import dev.berth.common.error.BerthException;
import java.util.Locale;

/**
 * A container port published on the node. A {@code hostPort} of 0 means "not published" (the kubelet passes every
 * declared container port); {@code hostIp} empty, {@code 0.0.0.0} or {@code ::} means every node address.
 */
public record PortMapping(Protocol protocol, int containerPort, int hostPort, String hostIp) {

    /** Transport protocols a port mapping can name (CRI's Protocol enum). */
    public enum Protocol {
        TCP,
        UDP,
        SCTP;

        /** The lower-case name nftables and the CNI portmap convention use. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PortMapping {
        if (protocol == null) {
            throw BerthException.invalidArgument("port mapping without protocol");
        }
        if (containerPort < 1 || containerPort > 65535) {
            throw BerthException.invalidArgument("container port out of range: " + containerPort);
        }
        if (hostPort < 0 || hostPort > 65535) {
            throw BerthException.invalidArgument("host port out of range: " + hostPort);
        }
        hostIp = hostIp == null ? "" : hostIp.strip();
        if (!hostIp.isEmpty()) {
            Addresses.parse(hostIp);
        }
    }

    public static PortMapping tcp(int containerPort, int hostPort) {
        return new PortMapping(Protocol.TCP, containerPort, hostPort, "");
    }

    /** True when the port is published on the node at all. */
    public boolean publishesHostPort() {
        return hostPort > 0;
    }

    /** True when the mapping listens on every node address rather than one. */
    public boolean anyHostIp() {
        return hostIp.isEmpty() || hostIp.equals("0.0.0.0") || hostIp.equals("::");
    }

    @Override
    public String toString() {
        return (anyHostIp() ? "" : hostIp + ":") + hostPort + "->" + containerPort + "/" + protocol.wireName();
    }
}
