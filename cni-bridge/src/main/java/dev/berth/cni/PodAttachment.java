package dev.berth.cni;

import java.util.List;

/**
 * A pod's place on the network. {@code ips} holds the primary address first (IPv4 when the pod has one), then the
 * additional ones, which is what {@code PodSandboxNetworkStatus} wants.
 *
 * @param sandboxId     the sandbox the attachment belongs to
 * @param network       {@code builtin} or the CNI network name
 * @param interfaceName the interface inside the pod's netns (always {@code eth0} today)
 * @param ips           primary first; never empty for an attached pod
 */
public record PodAttachment(String sandboxId, String network, String interfaceName, List<PodIp> ips) {

    public PodAttachment {
        ips = List.copyOf(ips);
    }

    /** The primary address as text, or "" when the network assigned none (a CNI chain may do that). */
    public String primaryIp() {
        return ips.isEmpty() ? "" : ips.get(0).addressText();
    }

    /** Every address after the primary one, as text. */
    public List<String> additionalIps() {
        return ips.stream().skip(1).map(PodIp::addressText).toList();
    }
}
