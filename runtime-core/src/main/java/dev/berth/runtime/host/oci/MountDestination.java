package dev.berth.runtime.host.oci;

import dev.berth.common.error.BerthException;
import dev.berth.common.error.RequestText;
import java.util.List;

/**
 * Where inside a container a mount may go. A destination is an absolute path with no {@code ..} element that names
 * something below the container's root: a mount onto {@code /} itself would replace the root filesystem (with a
 * host path of {@code /}, the node's whole root, read-write). Under {@code /proc} only the files that are commonly
 * overlaid with emulated views are allowed, the rule the OCI runtime itself applies.
 */
public final class MountDestination {

    private static final List<String> PROC_FILES_ALLOWED = List.of("/proc/cpuinfo", "/proc/diskstats",
            "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime", "/proc/loadavg", "/proc/slabinfo",
            "/proc/net/dev", "/proc/sys/kernel/ns_last_pid");

    private MountDestination() {
    }

    /**
     * The destination in canonical form (no empty or {@code .} elements, no trailing slash), or INVALID_ARGUMENT
     * naming {@code field} and what is wrong.
     */
    public static String of(String containerPath, String field) {
        RequestText.path(containerPath, field);
        if (!containerPath.startsWith("/")) {
            throw BerthException.invalidArgument(field + " must be an absolute path, got \"" + containerPath + "\"");
        }
        StringBuilder canonical = new StringBuilder();
        for (String element : containerPath.split("/")) {
            if (element.isEmpty() || element.equals(".")) {
                continue;
            }
            if (element.equals("..")) {
                throw BerthException.invalidArgument(field + " must not contain \"..\" elements, got \""
                        + containerPath + "\"");
            }
            canonical.append('/').append(element);
        }
        if (canonical.isEmpty()) {
            throw BerthException.invalidArgument(field + " \"" + containerPath
                    + "\" is the container's root; a mount cannot replace the root filesystem");
        }
        String destination = canonical.toString();
        if ((destination.equals("/proc") || destination.startsWith("/proc/"))
                && !PROC_FILES_ALLOWED.contains(destination)) {
            throw BerthException.invalidArgument(field + " \"" + containerPath
                    + "\" is inside /proc, which the runtime mounts itself; only " + PROC_FILES_ALLOWED
                    + " may be overlaid");
        }
        return destination;
    }
}
