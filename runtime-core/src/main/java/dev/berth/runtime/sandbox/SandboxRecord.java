package dev.berth.runtime.sandbox;

import java.util.List;
import java.util.Map;

/**
 * Everything berth keeps about a pod sandbox; persisted as JSON and served from memory as the sandbox's status.
 * Immutable: state changes make a new record.
 *
 * @param createdAt nanoseconds since the epoch
 * @param hostname the pod's hostname as given (empty for host-network pods that gave none)
 * @param logDirectory where the kubelet wants the pod's container logs
 * @param cgroupParent {@code linux.cgroup_parent} as given; empty means the cgroup driver's default
 * @param ip the pod's primary IP; empty for host-network pods and pods with no network
 * @param fingerprint digest of the RunPodSandbox request, to recognize its retries
 * @param pidHolderPid host PID of the {@code catatonit -P} holding a shared PID namespace; 0 when none runs
 * @param networkAttached the pod network is (or may be) set up and must be detached
 */
public record SandboxRecord(
        String id,
        SandboxMetadata metadata,
        SandboxState state,
        long createdAt,
        String runtimeHandler,
        String hostname,
        String logDirectory,
        DnsSettings dns,
        List<PortMappingSpec> portMappings,
        Map<String, String> labels,
        Map<String, String> annotations,
        String cgroupParent,
        NamespaceModes namespaces,
        Map<String, String> sysctls,
        String ip,
        List<String> additionalIps,
        String fingerprint,
        int pidHolderPid,
        boolean networkAttached) {

    public SandboxRecord {
        hostname = hostname == null ? "" : hostname;
        logDirectory = logDirectory == null ? "" : logDirectory;
        dns = dns == null ? DnsSettings.NONE : dns;
        portMappings = portMappings == null ? List.of() : List.copyOf(portMappings);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        cgroupParent = cgroupParent == null ? "" : cgroupParent;
        namespaces = namespaces == null ? NamespaceModes.DEFAULT : namespaces;
        sysctls = sysctls == null ? Map.of() : Map.copyOf(sysctls);
        ip = ip == null ? "" : ip;
        additionalIps = additionalIps == null ? List.of() : List.copyOf(additionalIps);
        fingerprint = fingerprint == null ? "" : fingerprint;
    }

    public boolean isReady() {
        return state == SandboxState.READY;
    }

    public SandboxRecord withState(SandboxState newState) {
        return new SandboxRecord(id, metadata, newState, createdAt, runtimeHandler, hostname, logDirectory, dns,
                portMappings, labels, annotations, cgroupParent, namespaces, sysctls, ip, additionalIps,
                fingerprint, pidHolderPid, networkAttached);
    }

    public SandboxRecord withNetwork(String newIp, List<String> newAdditionalIps, boolean attached) {
        return new SandboxRecord(id, metadata, state, createdAt, runtimeHandler, hostname, logDirectory, dns,
                portMappings, labels, annotations, cgroupParent, namespaces, sysctls, newIp, newAdditionalIps,
                fingerprint, pidHolderPid, attached);
    }

    public SandboxRecord withPidHolder(int pid) {
        return new SandboxRecord(id, metadata, state, createdAt, runtimeHandler, hostname, logDirectory, dns,
                portMappings, labels, annotations, cgroupParent, namespaces, sysctls, ip, additionalIps,
                fingerprint, pid, networkAttached);
    }

    /** Whether every label of the selector is on this sandbox with the same value. */
    public boolean matchesLabels(Map<String, String> selector) {
        for (Map.Entry<String, String> wanted : selector.entrySet()) {
            if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
