package dev.berth.runtime.host.cgroup;

import dev.berth.common.error.BerthException;

/** How cgroup paths are named: plain cgroupfs paths, or systemd {@code slice:prefix:name} triples. */
public enum CgroupDriver {
    CGROUPFS,
    SYSTEMD;

    /** Default parent when a sandbox names none. */
    public String defaultParent() {
        return this == CGROUPFS ? "/berth" : "berth.slice";
    }

    /**
     * The OCI {@code linux.cgroupsPath} of a container under a parent: {@code <parent>/berth-<id>} for cgroupfs,
     * {@code <parent slice>:berth:<id>} for systemd.
     */
    public String containerPath(String parent, String containerId) {
        String effective = parent == null || parent.isBlank() ? defaultParent() : parent;
        if (this == CGROUPFS) {
            if (!effective.startsWith("/")) {
                effective = "/" + effective;
            }
            return (effective.endsWith("/") ? effective : effective + "/") + "berth-" + containerId;
        }
        if (!effective.endsWith(".slice") || effective.contains("/")) {
            throw BerthException.invalidArgument("systemd cgroup parent must be a slice name, got " + effective);
        }
        return effective + ":berth:" + containerId;
    }

    /** A pod's own cgroup parent as a path relative to each hierarchy's root. */
    public String parentRelative(String parent) {
        if (this == CGROUPFS) {
            return CgroupPaths.relative(parent);
        }
        return CgroupPaths.expandSlice(parent);
    }
}
