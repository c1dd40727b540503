package dev.berth.bench.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One cgroup parent (e.g. {@code /berth-bench-containerd}) across every mounted hierarchy: v1 controllers, the
 * named systemd one and the v2 {@code unified} mount of a hybrid host. The bench gives each runtime its own parent,
 * so whatever is found under it belongs to the bench; runc leaves the parents behind when it deletes a container.
 */
public record CgroupTree(String parent) {

    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    public CgroupTree {
        if (!parent.startsWith("/") || parent.length() < 2 || parent.contains("..")) {
            throw new IllegalArgumentException("cgroup parent must be an absolute, non-root path: " + parent);
        }
    }

    /** Kills every process left under the parent, then removes its (now empty) directories. */
    public List<String> sweep() {
        List<String> problems = new ArrayList<>();
        for (Path dir : directories()) {
            for (long pid : HostProcesses.inCgroupTree(dir)) {
                if (!HostProcesses.kill(pid, Duration.ofSeconds(5))) {
                    problems.add("process " + pid + " in " + dir + " survived SIGKILL");
                } else {
                    problems.add("killed leftover process " + pid + " in " + dir);
                }
            }
        }
        for (Path dir : directories()) {
            problems.addAll(removeTree(dir));
        }
        return problems;
    }

    /** The parent's directory in each hierarchy where it exists. */
    List<Path> directories() {
        List<Path> found = new ArrayList<>();
        if (Files.isRegularFile(ROOT.resolve("cgroup.controllers"))) {
            addIfDirectory(found, ROOT); // pure v2 host: one hierarchy at the root
            return found;
        }
        try (DirectoryStream<Path> hierarchies = Files.newDirectoryStream(ROOT)) {
            for (Path hierarchy : hierarchies) {
                // cpu,cpuacct-style aliases are symlinks to a real mount: visit each mount once.
                if (Files.isDirectory(hierarchy, LinkOption.NOFOLLOW_LINKS)) {
                    addIfDirectory(found, hierarchy);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + ROOT, e);
        }
        return found;
    }

    private void addIfDirectory(List<Path> found, Path hierarchy) {
        Path dir = hierarchy.resolve(parent.substring(1));
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            found.add(dir);
        }
    }

    /** rmdir bottom-up: a cgroup directory goes with rmdir even though its control files cannot be deleted. */
    private static List<String> removeTree(Path dir) {
        List<String> problems = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        try (var walk = Files.walk(dir)) {
            walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(dirs::add);
        } catch (IOException | java.io.UncheckedIOException e) {
            problems.add("cannot walk " + dir + ": " + e.getMessage());
        }
        dirs.sort(Comparator.comparingInt((Path p) -> p.getNameCount()).reversed());
        for (Path d : dirs) {
            if (!rmdirWithRetry(d)) {
                problems.add("cannot remove cgroup " + d);
            }
        }
        return problems;
    }

    /** A cgroup whose last task just died can stay busy for a moment. */
    private static boolean rmdirWithRetry(Path dir) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                Files.deleteIfExists(dir);
                return true;
            } catch (IOException busy) {
                HostProcesses.sleep(50);
            }
        }
        return false;
    }
}
