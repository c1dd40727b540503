package dev.berth.cni.attach;

import dev.berth.cni.PodAttachment;
import dev.berth.cni.PodIp;
import dev.berth.common.net.Addresses;
import dev.berth.common.net.PortMapping;
import java.util.List;
import java.util.Optional;

/**
 * What berth remembers of one attachment, persisted as JSON before the network is touched so that a detach after a
 * crash or restart knows what to undo.
 *
 * @param kind          which backend made it; a detach always goes back to the same one
 * @param network       {@code builtin} or the CNI network name
 * @param portMappings  the published (host port &gt; 0) mappings only
 * @param ips           the addresses, primary first; may be empty in an intent record written before ADD
 * @param hostVeth      the built-in network's host-side veth, "" for plugin attachments
 */
public record AttachmentRecord(String sandboxId, Kind kind, String network, String netnsPath, String podName,
                               String podNamespace, String podUid, String interfaceName,
                               List<PortMapping> portMappings, List<StoredIp> ips, String hostVeth,
                               long createdAtMillis) {

    /** The backend an attachment belongs to. */
    public enum Kind {
        BUILTIN,
        PLUGIN
    }

    /** An address in storable form. {@code gateway} is "" when there is none. */
    public record StoredIp(String address, int prefixLength, String gateway) {

        public static StoredIp of(PodIp ip) {
            return new StoredIp(ip.addressText(), ip.prefixLength(),
                    ip.gateway().map(Addresses::format).orElse(""));
        }

        public PodIp toPodIp() {
            return new PodIp(Addresses.parse(address), prefixLength,
                    gateway == null || gateway.isEmpty() ? Optional.empty() : Optional.of(Addresses.parse(gateway)));
        }
    }

    public AttachmentRecord {
        portMappings = portMappings == null ? List.of() : List.copyOf(portMappings);
        ips = ips == null ? List.of() : List.copyOf(ips);
        hostVeth = hostVeth == null ? "" : hostVeth;
    }

    public List<PodIp> podIps() {
        return ips.stream().map(StoredIp::toPodIp).toList();
    }

    public PodAttachment toAttachment() {
        return new PodAttachment(sandboxId, network, interfaceName, podIps());
    }

    public AttachmentRecord withIps(List<PodIp> podIps) {
        return new AttachmentRecord(sandboxId, kind, network, netnsPath, podName, podNamespace, podUid,
                interfaceName, portMappings, podIps.stream().map(StoredIp::of).toList(), hostVeth, createdAtMillis);
    }

    public String podFullName() {
        return podNamespace + "/" + podName;
    }
}
