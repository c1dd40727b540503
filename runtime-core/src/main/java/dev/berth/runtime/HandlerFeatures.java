package dev.berth.runtime;

import dev.berth.runtime.host.cgroup.CgroupLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one runtime handler can do for pods on this host, as Status advertises it to the kubelet (which only uses a
 * feature it sees advertised). A handler whose runtime cannot run containers here at all gets nothing.
 *
 * @param recursiveReadOnlyMounts {@code Mount.recursive_read_only} works (berth stages the source read-only with
 *                                mount_setattr; the runtime binds it recursively)
 * @param userNamespaces pods with {@code userns_options} mode POD run in their own user namespace
 */
public record HandlerFeatures(boolean recursiveReadOnlyMounts, boolean userNamespaces) {

    public static final HandlerFeatures NONE = new HandlerFeatures(false, false);

    /** Each handler's features: those the host offers, for the handlers whose runtime can run containers here. */
    static Map<String, HandlerFeatures> of(Map<String, Path> handlers, CgroupLayout.Mode cgroups,
            HandlerFeatures hostOffers) {
        Map<String, HandlerFeatures> features = new LinkedHashMap<>();
        handlers.forEach((name, binary) -> features.put(name, !runsHere(binary, cgroups) ? NONE
                : new HandlerFeatures(hostOffers.recursiveReadOnlyMounts(),
                        hostOffers.userNamespaces() && joinsPinnedUserNamespace(binary))));
        return Map.copyOf(features);
    }

    /**
     * Pods in their own user namespace were tested with runc (1.1.5) joining the pinned namespace; crun could not be
     * tried on the hosts it refuses, so it is not offered there.
     */
    private static boolean joinsPinnedUserNamespace(Path binary) {
        return binary.getFileName().toString().equals("runc");
    }

    /** crun (1.8 in Debian bookworm) refuses to create containers when cgroup v2 is mounted beside v1. */
    private static boolean runsHere(Path binary, CgroupLayout.Mode cgroups) {
        return !(binary.getFileName().toString().equals("crun") && cgroups == CgroupLayout.Mode.HYBRID);
    }
}
