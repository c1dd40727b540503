package dev.berth.runtime.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.berth.common.net.DnsSettings;
import dev.berth.common.net.PortMapping;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.host.cgroup.PodCgroupLimits;
import java.util.List;
import java.util.Map;

/**
 * Everything berth keeps about a pod sandbox; persisted as JSON and served from memory as the sandbox's status.
 * Immutable: state changes make a new record.
 *
 * @param createdAt nanoseconds since the epoch
 * @param hostname the pod's hostname as given (empty for host-network pods that gave none)
 * @param logDirectory where the kubelet wants the pod's container logs
 * @param portMappings the ports the pod publishes on the node; empty for host-network pods
 * @param cgroupParent {@code linux.cgroup_parent} as given; empty means the cgroup driver's default
 * @param ip the pod's primary IP; empty for host-network pods and pods with no network
 * @param fingerprint digest of the RunPodSandbox request, to recognize its retries
 * @param pidHolderPid host PID of the {@code catatonit -P} holding a shared PID namespace; 0 when none runs
 * @param pidHolderStartTicks that process's start time (clock ticks after boot), which tells it from a later process
 *                            with the same PID; 0 (and not written) when none runs, and in records written
 *                            before berth kept it
 * @param networkAttached the pod network is (or may be) set up and must be detached
 * @param config the whole config RunPodSandbox was given, so that nothing about the pod has to be rebuilt from
 *               the fields above (stored as its protobuf bytes, base64, which keeps every field exactly); null in
 *               records written before berth kept it
 * @param podResources the limits UpdatePodSandboxResources last put on the pod's cgroup; null when never called
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
        List<PortMapping> portMappings,
        Map<String, String> labels,
        Map<String, String> annotations,
        String cgroupParent,
        NamespaceModes namespaces,
        Map<String, String> sysctls,
        String ip,
        List<String> additionalIps,
        String fingerprint,
        int pidHolderPid,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        long pidHolderStartTicks,
        boolean networkAttached,
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @JsonSerialize(using = PodConfigJson.Writer.class)
        @JsonDeserialize(using = PodConfigJson.Reader.class)
        PodSandboxConfig config,
        @JsonInclude(JsonInclude.Include.NON_NULL)
        PodCgroupLimits podResources) {

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
        return toBuilder().state(newState).build();
    }

    public SandboxRecord withNetwork(String newIp, List<String> newAdditionalIps, boolean attached) {
        return toBuilder().ip(newIp).additionalIps(newAdditionalIps).networkAttached(attached).build();
    }

    public SandboxRecord withPidHolder(int pid, long startTicks) {
        return toBuilder().pidHolderPid(pid).pidHolderStartTicks(startTicks).build();
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

    /** A builder with every field unset (null, 0, false: the constructor's defaults apply). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this record's fields, to make a copy that differs in a few. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Names the fields it sets, so that no call site lists all of them in order. Not thread-safe. */
    public static final class Builder {
        private String id;
        private SandboxMetadata metadata;
        private SandboxState state;
        private long createdAt;
        private String runtimeHandler;
        private String hostname;
        private String logDirectory;
        private DnsSettings dns;
        private List<PortMapping> portMappings;
        private Map<String, String> labels;
        private Map<String, String> annotations;
        private String cgroupParent;
        private NamespaceModes namespaces;
        private Map<String, String> sysctls;
        private String ip;
        private List<String> additionalIps;
        private String fingerprint;
        private int pidHolderPid;
        private long pidHolderStartTicks;
        private boolean networkAttached;
        private PodSandboxConfig config;
        private PodCgroupLimits podResources;

        private Builder() {
        }

        private Builder(SandboxRecord r) {
            id = r.id;
            metadata = r.metadata;
            state = r.state;
            createdAt = r.createdAt;
            runtimeHandler = r.runtimeHandler;
            hostname = r.hostname;
            logDirectory = r.logDirectory;
            dns = r.dns;
            portMappings = r.portMappings;
            labels = r.labels;
            annotations = r.annotations;
            cgroupParent = r.cgroupParent;
            namespaces = r.namespaces;
            sysctls = r.sysctls;
            ip = r.ip;
            additionalIps = r.additionalIps;
            fingerprint = r.fingerprint;
            pidHolderPid = r.pidHolderPid;
            pidHolderStartTicks = r.pidHolderStartTicks;
            networkAttached = r.networkAttached;
            config = r.config;
            podResources = r.podResources;
        }

        public Builder id(String value) {
            id = value;
            return this;
        }

        public Builder metadata(SandboxMetadata value) {
            metadata = value;
            return this;
        }

        public Builder state(SandboxState value) {
            state = value;
            return this;
        }

        public Builder createdAt(long value) {
            createdAt = value;
            return this;
        }

        public Builder runtimeHandler(String value) {
            runtimeHandler = value;
            return this;
        }

        public Builder hostname(String value) {
            hostname = value;
            return this;
        }

        public Builder logDirectory(String value) {
            logDirectory = value;
            return this;
        }

        public Builder dns(DnsSettings value) {
            dns = value;
            return this;
        }

        public Builder portMappings(List<PortMapping> value) {
            portMappings = value;
            return this;
        }

        public Builder labels(Map<String, String> value) {
            labels = value;
            return this;
        }

        public Builder annotations(Map<String, String> value) {
            annotations = value;
            return this;
        }

        public Builder cgroupParent(String value) {
            cgroupParent = value;
            return this;
        }

        public Builder namespaces(NamespaceModes value) {
            namespaces = value;
            return this;
        }

        public Builder sysctls(Map<String, String> value) {
            sysctls = value;
            return this;
        }

        public Builder ip(String value) {
            ip = value;
            return this;
        }

        public Builder additionalIps(List<String> value) {
            additionalIps = value;
            return this;
        }

        public Builder fingerprint(String value) {
            fingerprint = value;
            return this;
        }

        public Builder pidHolderPid(int value) {
            pidHolderPid = value;
            return this;
        }

        public Builder pidHolderStartTicks(long value) {
            pidHolderStartTicks = value;
            return this;
        }

        public Builder networkAttached(boolean value) {
            networkAttached = value;
            return this;
        }

        public Builder config(PodSandboxConfig value) {
            config = value;
            return this;
        }

        public Builder podResources(PodCgroupLimits value) {
            podResources = value;
            return this;
        }

        public SandboxRecord build() {
            return new SandboxRecord(id, metadata, state, createdAt, runtimeHandler, hostname, logDirectory, dns,
                    portMappings, labels, annotations, cgroupParent, namespaces, sysctls, ip, additionalIps,
                    fingerprint, pidHolderPid, pidHolderStartTicks, networkAttached, config, podResources);
        }
    }
}
