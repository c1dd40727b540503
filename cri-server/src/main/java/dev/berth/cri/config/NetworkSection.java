package dev.berth.cri.config;

import java.util.List;

/** Pod networking: the built-in bridge, or a CNI config list from conf_dir when one exists there. */
public record NetworkSection(String bridge, String subnet, String subnetV6, String confDir, List<String> binDirs,
                             Integer mtu) {

    public NetworkSection {
        bridge = bridge == null ? "berth0" : bridge;
        subnet = subnet == null ? "10.89.0.0/16" : subnet;
        subnetV6 = subnetV6 == null ? "" : subnetV6;
        confDir = confDir == null ? "/etc/cni/net.d" : confDir;
        binDirs = binDirs == null ? List.of("/opt/cni/bin", "/usr/lib/cni") : List.copyOf(binDirs);
        mtu = mtu == null ? 1500 : mtu;
    }

    static NetworkSection defaults() {
        return new NetworkSection(null, null, null, null, null, null);
    }
}
