package dev.berth.cri.server;

import dev.berth.cri.config.BerthConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The locks a daemon holds for its whole life: the state directory, the storage root, the socket and (for the
 * built-in network) the bridge. Whoever holds them all may change those resources: the daemon, or `berth cleanup`
 * while none runs.
 */
public final class DaemonLocks {

    /** Host-wide, whatever a daemon's own directories are: every berth on the host must meet here. */
    private static final Path BRIDGE_LOCKS = Path.of("/run/lock/berth/bridges");

    private DaemonLocks() {
    }

    /** Lock file → what it guards; paths that coincide are locked once. */
    public static Map<Path, String> of(BerthConfig config) {
        Path state = Path.of(config.storage().state());
        Path root = Path.of(config.storage().root());
        Path socket = Path.of(config.server().socket());
        Map<Path, String> locks = new LinkedHashMap<>();
        locks.putIfAbsent(state.resolve("berth.lock"), "state directory " + state);
        locks.putIfAbsent(root.resolve("berth.lock"), "storage root " + root);
        locks.putIfAbsent(socket.resolveSibling(socket.getFileName() + ".lock"), "socket " + socket);
        if (!config.network().mode().equals("plugin")) {
            // The bridge is the host's, not the state directory's: a second daemon with other directories but
            // the same bridge would share its nftables table and subnet, and its network GC would delete the
            // first one's pod veths. One owner per bridge name on the host.
            String bridge = config.network().bridge();
            locks.putIfAbsent(bridgeLock(bridge), "bridge " + bridge + " (with its nftables table and pod subnet)");
        }
        return locks;
    }

    public static Path bridgeLock(String bridge) {
        return BRIDGE_LOCKS.resolve(bridge + ".lock");
    }
}
