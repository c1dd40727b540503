package dev.berth.cri.testing;

import dev.berth.common.exec.Command;
import dev.berth.common.fs.MountTable;
import dev.berth.common.fs.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Finds what a test run may have left on the host under berth's directories, and removes a test's own. */
public final class Leftovers {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    private Leftovers() {
    }

    /** Mount points at or below {@code dir}. */
    public static List<Path> mountsUnder(Path dir) {
        return MountTable.current().under(dir).stream().map(MountTable.Entry::mountPoint).toList();
    }

    /**
     * Per-pod mounts (namespace pins, shm, root filesystems) under the daemon's directories: everything but the
     * pin directory's and the mount staging directory's own bind mounts, which the daemon keeps for the node's
     * lifetime.
     */
    public static List<Path> podMountsUnder(Path... dirs) {
        return Arrays.stream(dirs)
                .flatMap(dir -> mountsUnder(dir).stream().filter(point -> !point.equals(dir.resolve("ns"))
                        && !point.equals(dir.resolve("mounts"))))
                .toList();
    }

    /** Cgroups below a parent, in any hierarchy: a pod or container that was not cleaned up. */
    public static List<Path> podCgroupsUnder(String parent) {
        return cgroupDirs(parent).flatMap(dir -> {
            try (Stream<Path> children = Files.list(dir)) {
                return children.filter(Files::isDirectory).toList().stream();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    /** Command lines of the processes that {@linkplain #uses use} one of the directories. */
    public static List<String> processesUsing(Path... dirs) {
        return ProcessHandle.allProcesses().filter(p -> uses(p, dirs))
                .map(p -> p.info().commandLine().orElse("") + " (pid " + p.pid() + ", root " + rootOf(p.pid()) + ")")
                .toList();
    }

    /** Kills what a failed test may leave running: the processes that {@linkplain #uses use} the directories. */
    public static void killProcessesUsing(Path... dirs) {
        ProcessHandle.allProcesses().filter(p -> uses(p, dirs)).forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Whether a process's command line names one of the directories or its root lies below one (a shared-PID
     * holder runs chrooted with a bare command line).
     */
    private static boolean uses(ProcessHandle process, Path... dirs) {
        String cmd = process.info().commandLine().orElse("");
        String root = rootOf(process.pid());
        return Arrays.stream(dirs).anyMatch(dir -> cmd.contains(dir.toString()) || root.startsWith(dir + "/"));
    }

    private static String rootOf(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "root")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    /**
     * Removes a test's directory and whatever is still mounted below it (deepest first). The daemon keeps its
     * namespace-pin parent mounted across restarts, as on a node; per-pod mounts are asserted before this runs.
     */
    public static void removeDirectory(Path dir) {
        mountsUnder(dir).stream()
                .sorted(Comparator.reverseOrder())
                .forEach(mountpoint -> Command.of("umount", "-l", mountpoint.toString()).run());
        Trees.deleteRecursively(dir);
    }

    /** Removes a test's cgroup parent in every hierarchy; rmdir takes only an empty cgroup, so a leak still shows. */
    public static void removeCgroupParent(String parent) {
        cgroupDirs(parent).forEach(dir -> Command.of("rmdir", dir.toString()).run());
    }

    private static Stream<Path> cgroupDirs(String parent) {
        try (Stream<Path> hierarchies = Files.list(CGROUP_ROOT)) {
            String relative = parent.startsWith("/") ? parent.substring(1) : parent;
            return hierarchies.map(h -> h.resolve(relative)).filter(Files::isDirectory).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
