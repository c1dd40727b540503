package dev.berth.cri.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a test run may have left on the host under berth's directories: mounts and processes. */
public final class Leftovers {

    private Leftovers() {
    }

    public static List<String> mountsUnder(Path dir) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .filter(line -> line.split(" ")[1].startsWith(dir.toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Per-pod mounts (namespace pins, shm, root filesystems) under the daemon's directories: everything but the
     * pin directory's own bind mount, which the daemon keeps for the node's lifetime.
     */
    public static List<String> podMountsUnder(Path... dirs) {
        return java.util.Arrays.stream(dirs)
                .flatMap(dir -> mountsUnder(dir).stream()
                        .filter(line -> !line.split(" ")[1].equals(dir.resolve("ns").toString())))
                .toList();
    }

    /** Cgroups below a parent, in any hierarchy: a pod or container that was not cleaned up. */
    public static List<String> podCgroupsUnder(String parent) {
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            return hierarchies.map(h -> h.resolve(parent.substring(1)))
                    .filter(Files::isDirectory)
                    .flatMap(dir -> {
                        try (var children = Files.list(dir)) {
                            return children.filter(Files::isDirectory).map(Path::toString).toList().stream();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** conmon, runc or container processes whose command line names one of the directories. */
    public static List<String> processesUsing(Path... dirs) {
        return ProcessHandle.allProcesses()
                .map(p -> p.info().commandLine().orElse(""))
                .filter(cmd -> java.util.Arrays.stream(dirs).anyMatch(dir -> cmd.contains(dir.toString())))
                .toList();
    }
}
