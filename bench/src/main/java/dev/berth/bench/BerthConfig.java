package dev.berth.bench;

import dev.berth.bench.cni.CniChain;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The private berth instance's config.toml.
 *
 * @param socket   the CRI socket
 * @param root     persistent state: images, layers
 * @param state    volatile state: sandboxes, bundles, CNI cache
 * @param registry {@code 127.0.0.1:PORT}, trusted over plain HTTP
 * @param logLevel server.log_level
 * @param confDir  berth's CNI conf dir: empty for the built-in bridge, the chain's conflist otherwise
 * @param chain    present: pods go through this standard CNI chain (network.mode "plugin") instead of the
 *                 built-in bridge {@link #BUILTIN_BRIDGE}
 */
record BerthConfig(Path socket, Path root, Path state, String registry, String logLevel, Path confDir,
                   Optional<CniChain> chain) {

    static final String BUILTIN_BRIDGE = "brtbench0";
    static final String BUILTIN_SUBNET = "10.78.0.0/24";
    static final String CONFLIST_NAME = "10-berth-bench.conflist";

    String toml() {
        String network = chain.isPresent()
                // "plugin" rather than "auto": a missing or broken conflist must fail the run, not fall back.
                ? "mode = \"plugin\"\n"
                + "conf_dir = " + Toml.quote(confDir.toString()) + "\n"
                + "bin_dirs = [" + Toml.quote(CniChain.BIN_DIR) + "]\n"
                : "bridge = " + Toml.quote(BUILTIN_BRIDGE) + "\n"
                + "subnet = " + Toml.quote(BUILTIN_SUBNET) + "\n"
                // An empty CNI dir keeps berth on its built-in bridge whatever /etc/cni/net.d holds.
                + "conf_dir = " + Toml.quote(confDir.toString()) + "\n";
        return "[server]\n"
                + "socket = " + Toml.quote(socket.toString()) + "\n"
                + "log_level = " + Toml.quote(logLevel) + "\n"
                + "\n[storage]\n"
                + "root = " + Toml.quote(root.toString()) + "\n"
                + "state = " + Toml.quote(state.toString()) + "\n"
                + "\n[registry." + Toml.quote(registry) + "]\n"
                + "insecure = true\n"
                + "\n[network]\n"
                + network
                + "\n[metrics]\n"
                + "address = \"\"\n";
    }
}
