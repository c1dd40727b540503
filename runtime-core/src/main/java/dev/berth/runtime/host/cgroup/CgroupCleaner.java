package dev.berth.runtime.host.cgroup;

import dev.berth.common.error.BerthException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes cgroups berth (or runc on its behalf) created, in every hierarchy: runc 1.1.5 on a hybrid host also creates
 * them under {@code unified/} and {@code systemd/}, and {@code runc delete} leaves parents it created implicitly.
 * Cgroup directories go with rmdir only (their files are virtual), children first.
 */
public final class CgroupCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupCleaner.class);

    private final CgroupLayout layout;

    public CgroupCleaner(CgroupLayout layout) {
        this.layout = layout;
    }

    /**
     * Removes a container's cgroup (and any child cgroups) in every hierarchy. Missing is fine. Throws
     * FAILED_PRECONDITION if one still holds processes.
     */
    public void remove(String cgroupsPath) {
        String relative = CgroupPaths.relative(cgroupsPath);
        if (relative.isEmpty()) {
            throw BerthException.invalidArgument("refusing to remove a hierarchy root");
        }
        List<String> busy = new ArrayList<>();
        for (Path dir : layout.allDirectories(relative)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            List<Path> tree;
            try (Stream<Path> walk = Files.walk(dir)) {
                tree = walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                        .sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                busy.add(dir + " (" + e.getMessage() + ")");
                continue;
            }
            for (Path cgroup : tree) {
                if (!rmdir(cgroup)) {
                    busy.add(cgroup.toString());
                }
            }
        }
        if (!busy.isEmpty()) {
            throw BerthException.failedPrecondition("cgroups still in use: " + busy);
        }
    }

    /**
     * Removes a parent cgroup (e.g. a sandbox's) in every hierarchy where it has no child cgroups and no processes
     * left; returns true when it is gone everywhere. Never throws for busy cgroups.
     */
    public boolean removeIfEmpty(String cgroupsPath) {
        String relative = CgroupPaths.relative(cgroupsPath);
        if (relative.isEmpty()) {
            return false;
        }
        boolean allGone = true;
        for (Path dir : layout.allDirectories(relative)) {
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && !rmdir(dir)) {
                allGone = false;
            }
        }
        return allGone;
    }

    /** Lists the hierarchies where a cgroup still exists (tests and diagnostics). */
    public List<Path> existing(String cgroupsPath) {
        return layout.allDirectories(CgroupPaths.relative(cgroupsPath)).stream()
                .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
    }

    private static boolean rmdir(Path cgroup) {
        try {
            Files.delete(cgroup);
            LOG.debug("event=cgroup_removed path={}", cgroup);
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (DirectoryNotEmptyException e) {
            return false;
        } catch (IOException e) {
            // EBUSY (processes left) surfaces as a generic FileSystemException.
            LOG.debug("event=cgroup_busy path={} error=\"{}\"", cgroup, e.getMessage());
            return false;
        }
    }
}
