package dev.berth.runtime.host.cgroup;

import dev.berth.common.fs.MountTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which cgroup hierarchies this host mounts and where: cgroup v1 (one hierarchy per controller group), v2 (one
 * unified hierarchy) or hybrid (v1 controllers plus a controller-less-ish cgroup2 at {@code unified/}).
 */
public final class CgroupLayout {

    /** The host's cgroup flavour. */
    public enum Mode { V1, HYBRID, V2 }

    private final Map<String, Path> v1Controllers;
    private final List<Path> v1Hierarchies;
    private final Path unified;

    private CgroupLayout(Map<String, Path> v1Controllers, List<Path> v1Hierarchies, Path unified) {
        this.v1Controllers = Map.copyOf(v1Controllers);
        this.v1Hierarchies = List.copyOf(v1Hierarchies);
        this.unified = unified;
    }

    public static CgroupLayout detect() {
        return from(MountTable.current());
    }

    /** Builds the layout from a mount table; only hierarchies mounted at their root are considered. */
    public static CgroupLayout from(MountTable mounts) {
        Map<String, Path> controllers = new LinkedHashMap<>();
        List<Path> hierarchies = new ArrayList<>();
        Path unified = null;
        for (MountTable.Entry entry : mounts.entries()) {
            if (entry.fsType().equals("cgroup2")) {
                if (unified == null) {
                    unified = entry.mountPoint();
                }
            } else if (entry.fsType().equals("cgroup")) {
                if (hierarchies.contains(entry.mountPoint())) {
                    continue;
                }
                hierarchies.add(entry.mountPoint());
                for (String option : entry.superOptions().split(",")) {
                    if (!option.equals("rw") && !option.equals("ro") && !option.startsWith("release_agent")
                            && !option.equals("clone_children") && !option.equals("noprefix")
                            && !option.equals("xattr")) {
                        controllers.putIfAbsent(option, entry.mountPoint());
                    }
                }
            }
        }
        return new CgroupLayout(controllers, hierarchies, unified);
    }

    public Mode mode() {
        if (v1Hierarchies.isEmpty()) {
            return Mode.V2;
        }
        return unified == null ? Mode.V1 : Mode.HYBRID;
    }

    /** True when resource controllers live in the unified hierarchy (pure v2). */
    public boolean isUnified() {
        return mode() == Mode.V2;
    }

    /** The directory of a cgroup in the hierarchy holding a v1 controller ({@code "memory"}, {@code "cpuacct"}…). */
    public Optional<Path> v1(String controller, String relative) {
        return Optional.ofNullable(v1Controllers.get(controller)).map(root -> root.resolve(relative));
    }

    /** The directory of a cgroup in the unified (cgroup2) hierarchy, if one is mounted. */
    public Optional<Path> unified(String relative) {
        return Optional.ofNullable(unified).map(root -> root.resolve(relative));
    }

    /** The directory of a cgroup in every mounted hierarchy (v1 ones, then the unified one). */
    public List<Path> allDirectories(String relative) {
        List<Path> dirs = new ArrayList<>();
        v1Hierarchies.forEach(root -> dirs.add(root.resolve(relative)));
        if (unified != null) {
            dirs.add(unified.resolve(relative));
        }
        return dirs;
    }
}
