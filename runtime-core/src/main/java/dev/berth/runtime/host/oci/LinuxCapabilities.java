package dev.berth.runtime.host.oci;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.Capability;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Capability sets of a container: the runtime default (the set containerd and Docker use) adjusted by add/drop,
 * within what the node's bounding set allows.
 */
public final class LinuxCapabilities {

    /** Every capability name berth knows, by number (0..40). */
    public static final List<String> KNOWN = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
            "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
            "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
            "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
            "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    public static final List<String> RUNTIME_DEFAULT = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
            "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
            "CAP_AUDIT_WRITE");

    private LinuxCapabilities() {
    }

    /**
     * The container's capabilities: the runtime default (less what the node lacks), add ALL (the node's whole set),
     * drop ALL, then named and ambient adds, then named drops (drop wins). Privileged: the node's whole set. A named
     * capability the node lacks is refused here rather than by the OCI runtime, with a message that says why.
     */
    public static List<String> compute(Capability request, boolean privileged, BoundingSet node) {
        if (privileged) {
            return node.capabilities();
        }
        List<String> add = normalize(request.getAddCapabilitiesList());
        List<String> drop = normalize(request.getDropCapabilitiesList());
        Set<String> caps = new LinkedHashSet<>();
        RUNTIME_DEFAULT.stream().filter(node::contains).forEach(caps::add);
        if (add.contains("ALL")) {
            caps.addAll(node.capabilities());
        }
        if (drop.contains("ALL")) {
            caps.clear();
        }
        add.stream().filter(c -> !c.equals("ALL")).forEach(caps::add);
        caps.addAll(ambient(request));
        drop.forEach(caps::remove);
        for (String cap : caps) {
            if (!node.contains(cap)) {
                throw BerthException.failedPrecondition("capability " + cap + " cannot be granted: this node's "
                        + "capability bounding set lacks it (the runtime's own process does not hold it)");
            }
        }
        return new ArrayList<>(caps);
    }

    /** Ambient capabilities asked for (normalized), minus the dropped ones. */
    public static List<String> ambient(Capability request) {
        List<String> ambient = new ArrayList<>(normalize(request.getAddAmbientCapabilitiesList()));
        ambient.remove("ALL");
        ambient.removeAll(normalize(request.getDropCapabilitiesList()));
        return ambient;
    }

    /** "net_admin" / "NET_ADMIN" / "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; "all" → "ALL". Unknown names are rejected. */
    static List<String> normalize(List<String> names) {
        List<String> result = new ArrayList<>();
        for (String name : names) {
            String upper = name.strip().toUpperCase(Locale.ROOT);
            if (upper.equals("ALL")) {
                result.add("ALL");
                continue;
            }
            String full = upper.startsWith("CAP_") ? upper : "CAP_" + upper;
            if (!KNOWN.contains(full)) {
                throw BerthException.invalidArgument("unknown capability " + name);
            }
            result.add(full);
        }
        return result;
    }
}
