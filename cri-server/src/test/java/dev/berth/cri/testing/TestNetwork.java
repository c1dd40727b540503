package dev.berth.cri.testing;

import dev.berth.common.exec.Command;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A built-in pod network of a test's own: a unique bridge and subnet, so tests never share or tear down each
 * other's network, and removal of what the daemon made for it (berth keeps its bridge across restarts on a node).
 */
public record TestNetwork(String bridge, String subnet) {

    public static TestNetwork random() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new TestNetwork("bt" + Long.toHexString(random.nextLong(0x10000000L, 0xffffffffL)),
                "10." + random.nextInt(150, 200) + "." + random.nextInt(0, 256) + ".0/24");
    }

    public String toml(String confDir) {
        return "[network]\nbridge = \"" + bridge + "\"\nsubnet = \"" + subnet + "\"\nconf_dir = \"" + confDir
                + "\"\n";
    }

    /** Deletes the bridge and berth's nftables table for it; both may already be gone. */
    public void remove() {
        Command.of("ip", "link", "del", bridge).run();
        Command.of("nft", "delete", "table", "inet", "berth_" + bridge).run();
    }
}
