package dev.berth.cni;

import dev.berth.common.error.BerthException;
import dev.berth.common.net.DnsSettings;
import dev.berth.common.net.PortMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What {@link PodNetwork#attach} needs to know about a pod.
 *
 * @param sandboxId    the sandbox ID; names the attachment everywhere (files, CNI_CONTAINERID, link alias)
 * @param netnsPath    the pinned network namespace, e.g. {@code /run/berth/ns/net/<id>}
 * @param podName      for CNI_ARGS and log lines
 * @param podNamespace for CNI_ARGS and log lines
 * @param podUid       for CNI_ARGS
 * @param portMappings every declared container port; those with host port 0 are not published
 * @param bandwidth    traffic shaping, for CNI plugins that declare the {@code bandwidth} capability
 * @param dns          DNS settings, for CNI plugins that declare the {@code dns} capability
 * @param requestedIps static addresses asked for (CIDR or bare address text); empty = let IPAM choose
 */
public record PodNetworkRequest(String sandboxId, Path netnsPath, String podName, String podNamespace, String podUid,
                                List<PortMapping> portMappings, Optional<Bandwidth> bandwidth,
                                Optional<DnsSettings> dns, List<String> requestedIps) {

    /** Sandbox IDs become file names and link aliases: keep them to a safe alphabet. */
    private static final Pattern SANDBOX_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /** The path goes into {@code ip -batch} lines and CNI_NETNS: plain characters only. */
    private static final Pattern NETNS_PATH = Pattern.compile("/[A-Za-z0-9_./:@+-]+");

    public PodNetworkRequest {
        requireValidSandboxId(sandboxId);
        if (netnsPath == null || !NETNS_PATH.matcher(netnsPath.toString()).matches()) {
            throw BerthException.invalidArgument("network namespace path must be absolute and plain: " + netnsPath);
        }
        podName = podName == null ? "" : podName;
        podNamespace = podNamespace == null ? "" : podNamespace;
        podUid = podUid == null ? "" : podUid;
        portMappings = List.copyOf(portMappings);
        bandwidth = bandwidth == null ? Optional.empty() : bandwidth;
        dns = dns == null ? Optional.empty() : dns;
        requestedIps = List.copyOf(requestedIps);
    }

    /** A request with no port mappings, shaping, DNS or static addresses. */
    public static PodNetworkRequest of(String sandboxId, Path netnsPath, String podName, String podNamespace,
                                       String podUid) {
        return new PodNetworkRequest(sandboxId, netnsPath, podName, podNamespace, podUid, List.of(),
                Optional.empty(), Optional.empty(), List.of());
    }

    public PodNetworkRequest withPortMappings(List<PortMapping> mappings) {
        return new PodNetworkRequest(sandboxId, netnsPath, podName, podNamespace, podUid, mappings, bandwidth, dns,
                requestedIps);
    }

    public PodNetworkRequest withBandwidth(Bandwidth value) {
        return new PodNetworkRequest(sandboxId, netnsPath, podName, podNamespace, podUid, portMappings,
                Optional.of(value), dns, requestedIps);
    }

    public PodNetworkRequest withDns(DnsSettings value) {
        return new PodNetworkRequest(sandboxId, netnsPath, podName, podNamespace, podUid, portMappings, bandwidth,
                Optional.of(value), requestedIps);
    }

    public PodNetworkRequest withRequestedIps(List<String> ips) {
        return new PodNetworkRequest(sandboxId, netnsPath, podName, podNamespace, podUid, portMappings, bandwidth,
                dns, ips);
    }

    /** The mappings that publish a host port. */
    public List<PortMapping> hostPortMappings() {
        return portMappings.stream().filter(PortMapping::publishesHostPort).toList();
    }

    /** "namespace/name" for messages. */
    public String podFullName() {
        return podNamespace + "/" + podName;
    }

    static void requireValidSandboxId(String sandboxId) {
        if (sandboxId == null || !SANDBOX_ID.matcher(sandboxId).matches()) {
            throw BerthException.invalidArgument("invalid sandbox id: " + sandboxId);
        }
    }
}
