package dev.berth.runtime.sandbox;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import dev.berth.common.error.BerthException;
import dev.berth.common.net.DnsSettings;
import dev.berth.common.net.PortMapping;
import dev.berth.proto.runtime.v1.DNSConfig;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.Protocol;
import dev.berth.runtime.store.Fingerprints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Maps between the CRI sandbox config and berth's sandbox record. */
public final class SandboxConfigs {

    private SandboxConfigs() {
    }

    public static SandboxMetadata metadata(PodSandboxMetadata m) {
        return new SandboxMetadata(m.getName(), m.getUid(), m.getNamespace(), m.getAttempt());
    }

    public static NamespaceModes namespaces(PodSandboxConfig config) {
        NamespaceOption options = config.getLinux().getSecurityContext().getNamespaceOptions();
        return new NamespaceModes(mode(options.getNetwork()), mode(options.getPid()), mode(options.getIpc()),
                options.getTargetId(), UserNamespaceOptions.mappingOf(options));
    }

    public static NamespaceMode mode(dev.berth.proto.runtime.v1.NamespaceMode mode) {
        switch (mode) {
            case POD: return NamespaceMode.POD;
            case CONTAINER: return NamespaceMode.CONTAINER;
            case NODE: return NamespaceMode.NODE;
            case TARGET: return NamespaceMode.TARGET;
            default: throw BerthException.invalidArgument("unknown namespace mode " + mode);
        }
    }

    public static dev.berth.proto.runtime.v1.NamespaceMode toProto(NamespaceMode mode) {
        return dev.berth.proto.runtime.v1.NamespaceMode.valueOf(mode.name());
    }

    public static DnsSettings dns(DNSConfig dns) {
        return new DnsSettings(dns.getServersList(), dns.getSearchesList(), dns.getOptionsList());
    }

    /** The pod's port mappings as berth keeps them and the pod network takes them. */
    public static List<PortMapping> portMappings(List<dev.berth.proto.runtime.v1.PortMapping> mappings) {
        return mappings.stream().map(mapping -> new PortMapping(protocol(mapping), mapping.getContainerPort(),
                mapping.getHostPort(), mapping.getHostIp())).toList();
    }

    private static PortMapping.Protocol protocol(dev.berth.proto.runtime.v1.PortMapping mapping) {
        return switch (mapping.getProtocol()) {
            case TCP -> PortMapping.Protocol.TCP;
            case UDP -> PortMapping.Protocol.UDP;
            case SCTP -> PortMapping.Protocol.SCTP;
            case UNRECOGNIZED -> throw BerthException.invalidArgument(
                    "port_mappings: unknown protocol " + mapping.getProtocolValue());
        };
    }

    /** A digest of a request that is the same for the same content (deterministic map order). */
    public static String fingerprint(Message... parts) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            for (Message part : parts) {
                CodedOutputStream out = CodedOutputStream.newInstance(bytes);
                out.useDeterministicSerialization();
                part.writeTo(out);
                out.flush();
                bytes.write(0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Fingerprints.sha256(bytes.toByteArray());
    }

    /** The config the sandbox was created with; rebuilt from the record's fields only for records that lack it. */
    public static PodSandboxConfig of(SandboxRecord record) {
        return record.config() != null ? record.config() : rebuilt(record);
    }

    /**
     * Upgrade path only: the config rebuilt from a record written before berth kept the whole config (sandboxes
     * created by an older berth that still run). It holds what those records have (metadata, hostname, DNS,
     * ports, labels, annotations, cgroup parent, sysctls, namespace modes) and lacks the rest, e.g. the pod's
     * security context.
     */
    static PodSandboxConfig rebuilt(SandboxRecord record) {
        SandboxMetadata m = record.metadata();
        NamespaceModes ns = record.namespaces();
        PodSandboxConfig.Builder builder = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(m.name()).setUid(m.uid())
                        .setNamespace(m.namespace()).setAttempt(m.attempt()))
                .setHostname(record.hostname())
                .setLogDirectory(record.logDirectory())
                .setDnsConfig(DNSConfig.newBuilder().addAllServers(record.dns().servers())
                        .addAllSearches(record.dns().searches()).addAllOptions(record.dns().options()))
                .putAllLabels(record.labels())
                .putAllAnnotations(record.annotations())
                .setLinux(LinuxPodSandboxConfig.newBuilder()
                        .setCgroupParent(record.cgroupParent())
                        .putAllSysctls(record.sysctls())
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                                .setNamespaceOptions(NamespaceOption.newBuilder()
                                        .setNetwork(toProto(ns.network())).setPid(toProto(ns.pid()))
                                        .setIpc(toProto(ns.ipc())).setTargetId(ns.targetId()))));
        for (PortMapping p : record.portMappings()) {
            builder.addPortMappings(dev.berth.proto.runtime.v1.PortMapping.newBuilder()
                    .setProtocol(Protocol.valueOf(p.protocol().name()))
                    .setContainerPort(p.containerPort()).setHostPort(p.hostPort()).setHostIp(p.hostIp()));
        }
        return builder.build();
    }
}
