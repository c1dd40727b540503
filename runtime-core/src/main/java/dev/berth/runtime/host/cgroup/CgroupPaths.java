package dev.berth.runtime.host.cgroup;

import dev.berth.common.error.BerthException;

/** Turns an OCI cgroupsPath (cgroupfs path or systemd triple) into a path relative to a hierarchy's root. */
public final class CgroupPaths {

    private CgroupPaths() {
    }

    /** "/a/b" → "a/b"; "a-b.slice:berth:ID" → "a.slice/a-b.slice/berth-ID.scope". */
    public static String relative(String cgroupsPath) {
        if (cgroupsPath == null || cgroupsPath.isBlank()) {
            throw BerthException.invalidArgument("empty cgroup path");
        }
        String relative;
        if (cgroupsPath.contains(":")) {
            String[] parts = cgroupsPath.split(":", -1);
            if (parts.length != 3) {
                throw BerthException.invalidArgument("bad systemd cgroup path " + cgroupsPath);
            }
            String scope = (parts[1].isEmpty() ? "" : parts[1] + "-") + parts[2] + ".scope";
            String slice = expandSlice(parts[0]);
            relative = slice.isEmpty() ? scope : slice + "/" + scope;
        } else {
            relative = cgroupsPath;
        }
        while (relative.startsWith("/")) {
            relative = relative.substring(1);
        }
        for (String segment : relative.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                throw BerthException.invalidArgument("cgroup path escapes its hierarchy: " + cgroupsPath);
            }
        }
        return relative;
    }

    /**
     * A sandbox's cgroup parent as a path relative to a hierarchy's root: a systemd slice name
     * ("kubepods-burstable-pod1.slice") expands to its directory, a cgroupfs path loses its leading slash.
     */
    public static String parentRelative(String cgroupParent) {
        if (cgroupParent == null || cgroupParent.isBlank()) {
            throw BerthException.invalidArgument("empty cgroup parent");
        }
        if (cgroupParent.endsWith(".slice") && !cgroupParent.contains("/")) {
            return expandSlice(cgroupParent);
        }
        return relative(cgroupParent);
    }

    /** The parent directory of a systemd slice: "a-b-c.slice" → "a.slice/a-b.slice/a-b-c.slice". */
    static String expandSlice(String slice) {
        if (slice.isEmpty() || slice.equals("-.slice")) {
            return "";
        }
        if (!slice.endsWith(".slice")) {
            throw BerthException.invalidArgument("bad systemd slice " + slice);
        }
        String name = slice.substring(0, slice.length() - ".slice".length());
        StringBuilder path = new StringBuilder();
        int from = 0;
        while (true) {
            int dash = name.indexOf('-', from);
            String prefix = dash < 0 ? name : name.substring(0, dash);
            if (path.length() > 0) {
                path.append('/');
            }
            path.append(prefix).append(".slice");
            if (dash < 0) {
                return path.toString();
            }
            from = dash + 1;
        }
    }
}
