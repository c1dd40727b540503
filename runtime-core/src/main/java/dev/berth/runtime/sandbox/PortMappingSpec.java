package dev.berth.runtime.sandbox;

/** A pod port published on the host, kept so that the network can be torn down after a restart. */
public record PortMappingSpec(String protocol, int containerPort, int hostPort, String hostIp) {

    public PortMappingSpec {
        protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
        hostIp = hostIp == null ? "" : hostIp;
    }
}
