package dev.berth.cni.builtin;

import dev.berth.cni.PodIp;
import dev.berth.cni.builtin.NftRules.Element;
import dev.berth.cni.builtin.NftRules.HostPortMap;
import dev.berth.common.net.Addresses;
import dev.berth.common.net.PortMapping;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pod's host ports as nftables map elements: a wildcard mapping goes to each of the pod's address families, a
 * mapping bound to one node address only to that address's family.
 */
final class PortMapper {

    private static final Logger LOG = LoggerFactory.getLogger(PortMapper.class);

    private final NftRules rules;

    PortMapper(NftRules rules) {
        this.rules = rules;
    }

    void map(List<PortMapping> mappings, List<PodIp> ips) {
        rules.add(elements(mappings, ips));
    }

    void unmap(List<PortMapping> mappings, List<PodIp> ips) {
        rules.remove(elements(mappings, ips));
    }

    static List<Element> elements(List<PortMapping> mappings, List<PodIp> ips) {
        List<Element> elements = new ArrayList<>();
        for (PortMapping mapping : mappings) {
            if (!mapping.publishesHostPort()) {
                continue;
            }
            String port = mapping.protocol().wireName() + " . " + mapping.hostPort();
            boolean mapped = false;
            for (PodIp ip : ips) {
                String target = ip.addressText() + " . " + mapping.containerPort();
                if (mapping.anyHostIp()) {
                    elements.add(new Element(ip.isIpv4() ? HostPortMap.ANY4 : HostPortMap.ANY6, port, target));
                    mapped = true;
                    continue;
                }
                InetAddress hostIp = Addresses.parse(mapping.hostIp());
                if ((hostIp instanceof Inet4Address) == ip.isIpv4()) {
                    elements.add(new Element(ip.isIpv4() ? HostPortMap.ADDR4 : HostPortMap.ADDR6,
                            Addresses.format(hostIp) + " . " + port, target));
                    mapped = true;
                }
            }
            if (!mapped) {
                LOG.warn("host port not mapped: pod has no address of its family mapping={}", mapping);
            }
        }
        return elements;
    }
}
