package dev.berth.cri.config;

import java.util.List;

/**
 * Pod networking. Mode "auto": a CNI config list from conf_dir when one exists there, else the built-in bridge;
 * "builtin" and "plugin" force one of them.
 */
public record NetworkSection(String mode, String bridge, String subnet, String subnetV6, String confDir,
                             List<String> binDirs, Integer mtu) {

    public NetworkSection {
        mode = mode == null ? "auto" : mode;
        bridge = bridge == null ? "berth0" : bridge;
        subnet = subnet == null ? "10.89.0.0/16" : subnet;
        subnetV6 = subnetV6 == null ? "" : subnetV6;
        confDir = confDir == null ? "/etc/cni/net.d" : confDir;
        binDirs = binDirs == null ? List.of("/opt/cni/bin", "/usr/lib/cni") : List.copyOf(binDirs);
        // 0 takes the MTU of the interface that carries the default route.
        mtu = mtu == null ? 0 : mtu;
    }

    static NetworkSection defaults() {
        return new NetworkSection(null, null, null, null, null, null, null);
    }

    static NetworkSection read(ConfigTable table) {
        if (table == null) {
            return defaults();
        }
        NetworkSection section = new NetworkSection(table.string("mode"), table.string("bridge"),
                table.string("subnet"), table.string("subnet_v6"), table.string("conf_dir"),
                table.strings("bin_dirs"), table.integer("mtu"));
        table.rejectUnknownKeys();
        return section;
    }
}
