package dev.berth.runtime.host.cgroup;

import dev.berth.common.error.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Puts processes berth starts itself (not through the OCI runtime) into a cgroup of their own, in every hierarchy
 * as runc does for a container, so that they are accounted to their pod and removed with {@link CgroupCleaner}.
 */
public final class CgroupJoin {

    private final CgroupLayout layout;

    public CgroupJoin(CgroupLayout layout) {
        this.layout = layout;
    }

    /** Creates the cgroup where missing and moves {@code pids} into it, in every mounted hierarchy. */
    public void join(String cgroupsPath, List<Integer> pids) {
        String relative = CgroupPaths.relative(cgroupsPath);
        Optional<Path> cpuset = layout.v1("cpuset", relative);
        for (Path dir : layout.allDirectories(relative)) {
            try {
                Files.createDirectories(dir);
                if (cpuset.isPresent() && cpuset.get().equals(dir)) {
                    inheritCpuset(dir);
                }
                for (int pid : pids) {
                    Files.writeString(dir.resolve("cgroup.procs"), Integer.toString(pid));
                }
            } catch (IOException e) {
                throw BerthException.internal("cannot move processes " + pids + " into cgroup " + dir + ": " + e, e);
            }
        }
    }

    /** The processes in a cgroup now (in the first hierarchy that has it); empty when it does not exist. */
    public List<Integer> processes(String cgroupsPath) {
        String relative = CgroupPaths.relative(cgroupsPath);
        for (Path dir : layout.allDirectories(relative)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                List<Integer> pids = new ArrayList<>();
                for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                    if (!line.isBlank()) {
                        pids.add(Integer.parseInt(line.strip()));
                    }
                }
                return pids;
            } catch (IOException e) {
                return List.of();
            }
        }
        return List.of();
    }

    /** A new v1 cpuset cgroup has no CPUs and no memory nodes (no process may join): copy its parent's, top down. */
    private static void inheritCpuset(Path dir) throws IOException {
        List<Path> chain = new ArrayList<>();
        for (Path p = dir; p != null && Files.exists(p.resolve("cpuset.cpus")); p = p.getParent()) {
            chain.add(0, p);
        }
        for (int i = 1; i < chain.size(); i++) {
            for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
                Path own = chain.get(i).resolve(file);
                if (Files.readString(own).isBlank()) {
                    Files.writeString(own, Files.readString(chain.get(i - 1).resolve(file)).strip());
                }
            }
        }
    }
}
