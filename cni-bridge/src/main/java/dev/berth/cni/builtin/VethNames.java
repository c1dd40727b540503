package dev.berth.cni.builtin;

import dev.berth.cni.net.Digests;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Names of a pod's veth pair. The host end's name is derived from the bridge and sandbox (so a detach finds it
 * without state) and its alias names the sandbox (so garbage collection can tell whose a port on the bridge is).
 */
final class VethNames {

    static final String POD_INTERFACE = "eth0";
    private static final String ALIAS_PREFIX = "berth:";

    private VethNames() {
    }

    /** {@code bv} + 12 hex digits: within the kernel's 15 characters, unique per bridge and sandbox. */
    static String hostEnd(String bridge, String sandboxId) {
        return "bv" + HexFormat.of().formatHex(Digests.sha256(bridge + "/" + sandboxId), 0, 6);
    }

    static String alias(String sandboxId) {
        return ALIAS_PREFIX + sandboxId;
    }

    /** The sandbox an alias names, when it is one of ours. */
    static Optional<String> sandboxOf(String alias) {
        return alias.startsWith(ALIAS_PREFIX) && alias.length() > ALIAS_PREFIX.length()
                ? Optional.of(alias.substring(ALIAS_PREFIX.length()))
                : Optional.empty();
    }
}
