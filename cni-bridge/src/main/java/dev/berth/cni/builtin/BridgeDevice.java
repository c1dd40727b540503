package dev.berth.cni.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cni.net.Cidr;
import dev.berth.cni.net.Digests;
import dev.berth.cni.net.HostLinks;
import dev.berth.cni.net.LinkBatch;
import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Command;
import dev.berth.common.net.Addresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in network's bridge: created when missing, given each pool's gateway address, kept up. Its MAC address
 * is fixed (derived from its name) so it does not change when the first port joins, which would leave the pods'
 * neighbour entries for the gateway stale.
 */
final class BridgeDevice {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeDevice.class);

    /** An address configured on the bridge. */
    record BridgeAddress(String address, int prefixLength) {

        Cidr subnet() {
            return new Cidr(Addresses.parse(address), prefixLength);
        }
    }

    private final String name;
    private final HostLinks links;
    private final ObjectMapper json;

    BridgeDevice(String name, HostLinks links, ObjectMapper json) {
        this.name = name;
        this.links = links;
        this.json = json;
    }

    String name() {
        return name;
    }

    boolean exists() {
        return links.isBridge(name);
    }

    /** Creates the bridge if needed and makes sure every pool's gateway address is on it and it is up. */
    void ensure(List<IpPool> pools, int mtu) {
        LinkBatch batch = new LinkBatch();
        List<BridgeAddress> present = List.of();
        if (!links.exists(name)) {
            batch.add("link", "add", name, "address", mac(), "mtu", Integer.toString(mtu), "type", "bridge");
            LOG.info("creating bridge bridge={} mtu={}", name, mtu);
        } else if (!links.isBridge(name)) {
            throw BerthException.failedPrecondition("link " + name + " exists and is not a bridge");
        } else {
            present = addresses();
        }
        for (IpPool pool : pools) {
            String gateway = Addresses.format(pool.gateway());
            int prefix = pool.subnet().prefixLength();
            if (present.stream().noneMatch(a -> a.address().equals(gateway) && a.prefixLength() == prefix)) {
                if (pool.isIpv4()) {
                    batch.add("addr", "add", gateway + "/" + prefix, "dev", name);
                } else {
                    // nodad: a tentative gateway would drop the pods' first packets.
                    batch.add("addr", "add", gateway + "/" + prefix, "dev", name, "nodad");
                }
            }
        }
        batch.add("link", "set", name, "up");
        batch.runOnHost();
    }

    /** The bridge's global addresses. */
    List<BridgeAddress> addresses() {
        byte[] out = Command.of("ip", "-j", "addr", "show", "dev", name).check().stdout();
        List<BridgeAddress> result = new ArrayList<>();
        try {
            for (JsonNode link : json.readTree(out)) {
                for (JsonNode info : link.path("addr_info")) {
                    if (!"link".equals(info.path("scope").asText())) {
                        result.add(new BridgeAddress(Addresses.format(Addresses.parse(info.path("local").asText())),
                                info.path("prefixlen").asInt()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse addresses of " + name, e);
        }
        return result;
    }

    void removeAddress(BridgeAddress address) {
        new LinkBatch().add("addr", "del", address.address() + "/" + address.prefixLength(), "dev", name)
                .runOnHost();
        LOG.info("removed stale gateway address bridge={} address={}/{}", name, address.address(),
                address.prefixLength());
    }

    List<String> ports() {
        return links.bridgePorts(name);
    }

    /** A locally administered unicast MAC derived from the bridge name. */
    private String mac() {
        byte[] digest = Digests.sha256(name);
        digest[0] = (byte) ((digest[0] & 0xfc) | 0x02);
        return HexFormat.ofDelimiter(":").formatHex(digest, 0, 6);
    }
}
