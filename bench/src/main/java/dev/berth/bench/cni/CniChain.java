package dev.berth.bench.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bench's standard CNI chain, a kubeadm-style bridge network from Debian's containernetworking-plugins: bridge
 * (gateway on the bridge, masquerade for traffic leaving the subnet, hairpin) with host-local IPAM, then portmap for
 * hostPorts. Every user (containerd, berth, the plugin floor) gets the same shape on its own bridge, subnet and IPAM
 * directory, so runs never share state.
 *
 * @param name    the network name
 * @param bridge  the bridge the plugin creates
 * @param subnet  host-local's range, e.g. "10.77.0.0/24"
 * @param ipamDir host-local's allocation files, kept out of /var/lib/cni
 */
public record CniChain(String name, String bridge, String subnet, Path ipamDir) {

    public static final String CNI_VERSION = "1.0.0";
    public static final String BIN_DIR = "/usr/lib/cni";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The subnet's first three octets and a dot, e.g. "10.77.0.": iptables rules of this network name it. */
    public String subnetMarker() {
        int slash = subnet.indexOf('/');
        String address = slash < 0 ? subnet : subnet.substring(0, slash);
        return address.substring(0, address.lastIndexOf('.') + 1);
    }

    /** The network config list as a runtime's conf dir holds it. */
    public String conflist() {
        ObjectNode list = JSON.createObjectNode().put("cniVersion", CNI_VERSION).put("name", name);
        ArrayNode plugins = list.putArray("plugins");
        plugins(false).forEach(plugins::add);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(list) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Each plugin's own config as a CNI runtime hands it to the plugin on stdin: the list's {@code name} and
     * {@code cniVersion} copied into it (without {@code prevResult}, which the runtime adds per call).
     */
    public List<ObjectNode> pluginConfigs() {
        return plugins(true);
    }

    /** The loopback plugin's config, as containerd's CNI library runs it before the pod network. */
    public static ObjectNode loopbackConfig() {
        return JSON.createObjectNode().put("cniVersion", CNI_VERSION).put("name", "cni-loopback")
                .put("type", "loopback");
    }

    private List<ObjectNode> plugins(boolean standalone) {
        ObjectNode bridgePlugin = JSON.createObjectNode();
        ObjectNode portmap = JSON.createObjectNode();
        if (standalone) {
            bridgePlugin.put("cniVersion", CNI_VERSION).put("name", name);
            portmap.put("cniVersion", CNI_VERSION).put("name", name);
        }
        bridgePlugin.put("type", "bridge").put("bridge", bridge).put("isGateway", true).put("ipMasq", true)
                .put("hairpinMode", true);
        ObjectNode ipam = bridgePlugin.putObject("ipam").put("type", "host-local").put("dataDir", ipamDir.toString());
        ipam.putArray("ranges").addArray().addObject().put("subnet", subnet);
        ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
        portmap.put("type", "portmap").putObject("capabilities").put("portMappings", true);
        List<ObjectNode> plugins = new ArrayList<>();
        plugins.add(bridgePlugin);
        plugins.add(portmap);
        return plugins;
    }
}
