package dev.berth.cni.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cni.PodIp;
import dev.berth.cni.net.Cidr;
import dev.berth.common.net.Addresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Reads the pod's addresses out of a CNI result, in any result version berth speaks. */
final class CniResults {

    private CniResults() {
    }

    /**
     * The addresses on the pod's interface, IPv4 first (the CRI's primary address). Addresses of host-side
     * interfaces (an {@code interface} index pointing to an entry without {@code sandbox}) are left out.
     */
    static List<PodIp> podIps(JsonNode result) {
        List<PodIp> ips = new ArrayList<>();
        if (result == null) {
            return ips;
        }
        if (result.has("ip4") || result.has("ip6")) {
            // 0.1.0 / 0.2.0 results
            addLegacy(ips, result.path("ip4"));
            addLegacy(ips, result.path("ip6"));
        } else {
            JsonNode interfaces = result.path("interfaces");
            for (JsonNode ip : result.path("ips")) {
                if (ip.has("interface")) {
                    JsonNode owner = interfaces.path(ip.path("interface").asInt(-1));
                    if (!owner.isMissingNode() && owner.path("sandbox").asText("").isEmpty()) {
                        continue;
                    }
                }
                ips.add(podIp(ip.path("address").asText(""), ip.path("gateway").asText("")));
            }
        }
        ips.sort(Comparator.comparing(ip -> ip.isIpv4() ? 0 : 1));
        return ips;
    }

    private static void addLegacy(List<PodIp> ips, JsonNode family) {
        if (family.has("ip")) {
            ips.add(podIp(family.path("ip").asText(), family.path("gateway").asText("")));
        }
    }

    private static PodIp podIp(String cidr, String gateway) {
        if (!cidr.contains("/")) {
            throw new IllegalArgumentException("CNI result address without prefix: " + cidr);
        }
        InetAddress address = Addresses.parse(cidr.substring(0, cidr.indexOf('/')));
        int prefix = Cidr.parse(cidr).prefixLength();
        return new PodIp(address, prefix,
                gateway.isEmpty() ? Optional.empty() : Optional.of(Addresses.parse(gateway)));
    }
}
