package dev.berth.cri.crash;

import dev.berth.common.exec.Command;
import dev.berth.common.fs.MountTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What one daemon's pods and containers hold on the host, read from the host itself (never from berth's answers):
 * mounts, runtime-state and record files, namespace pins, veths on its bridge, IPAM and attachment files, cgroups,
 * nftables rules and processes. Each holding is filed under the 64-hex object ID it names; one that names none is
 * filed under {@link #NO_ID}, which is a leak by itself.
 */
public final class HostInventory {

    public static final String NO_ID = "(no id)";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    private static final long TRASH_WAIT_NANOS = 30_000_000_000L;

    private final Map<String, List<String>> byId = new TreeMap<>();

    private HostInventory() {
    }

    public static HostInventory of(DaemonUnderTest daemon) {
        awaitTrashEmptied(daemon);
        HostInventory inventory = new HostInventory();
        inventory.mounts(daemon.home, daemon.state);
        inventory.files("file", daemon.root.resolve("sandboxes"), 1);
        inventory.files("file", daemon.root.resolve("containers"), 1);
        inventory.files("state", daemon.state, 3);
        inventory.filesAndContent("cni", daemon.root.resolve("cni"), 3);
        inventory.veths(daemon.network.bridge());
        inventory.cgroups(daemon.cgroupParent);
        inventory.nftables("berth_" + daemon.network.bridge());
        inventory.processes(daemon.home, daemon.state);
        return inventory;
    }

    /**
     * A removal renames what it removes into a trash directory that a daemon thread empties afterwards: while the
     * daemon runs, give that thread time to catch up; whatever is still there at the deadline is reported.
     */
    private static void awaitTrashEmptied(DaemonUnderTest daemon) {
        long deadline = System.nanoTime() + TRASH_WAIT_NANOS;
        for (Path trash : List.of(daemon.state.resolve("trash"), daemon.root.resolve("overlay2/trash"))) {
            while (daemon.alive() && !emptyOrAbsent(trash) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static boolean emptyOrAbsent(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Map<String, List<String>> byId() {
        return byId;
    }

    /** Holdings of objects that are not in {@code known}, and those that name no object. */
    public Map<String, List<String>> notOwnedBy(Set<String> known) {
        Map<String, List<String>> leaks = new TreeMap<>(byId);
        leaks.keySet().removeAll(known);
        return leaks;
    }

    List<String> of(String id) {
        return byId.getOrDefault(id, List.of());
    }

    private void file(String text, String where) {
        Matcher m = ID.matcher(text);
        boolean any = false;
        while (m.find()) {
            byId.computeIfAbsent(m.group(), k -> new ArrayList<>()).add(where);
            any = true;
        }
        if (!any) {
            byId.computeIfAbsent(NO_ID, k -> new ArrayList<>()).add(where);
        }
    }

    private void mounts(Path home, Path state) {
        for (Path dir : List.of(home, state)) {
            MountTable.current().under(dir).stream().map(MountTable.Entry::mountPoint)
                    // The pin directory's and the read-only staging directory's own bind mounts live as long as
                    // the node.
                    .filter(point -> !point.equals(state.resolve("ns")) && !point.equals(state.resolve("mounts")))
                    .forEach(point -> file(point.toString(), "mount " + point));
        }
    }

    /** Entries down to {@code depth} below {@code dir} whose own name holds an ID; directories that group them don't. */
    private void files(String kind, Path dir, int depth) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir, depth)) {
            walk.filter(p -> !p.equals(dir))
                    .filter(p -> ID.matcher(p.getFileName().toString()).find() || !Files.isDirectory(p))
                    .filter(p -> !p.getFileName().toString().endsWith(".lock"))
                    // The shared-PID holders' chroot (their one binary) belongs to the daemon, not to a pod.
                    .filter(p -> !dir.relativize(p).startsWith("pidholder-root"))
                    .forEach(p -> file(dir.relativize(p).toString(), kind + " " + p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CNI state: files named by an ID, and files (IPAM reservations) whose content names their owner. */
    private void filesAndContent(String kind, Path dir, int depth) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir, depth)) {
            walk.filter(Files::isRegularFile)
                    // The allocator's own lock file and walk position belong to no pod.
                    .filter(p -> !p.getFileName().toString().endsWith(".lock"))
                    .filter(p -> !p.getFileName().toString().equals("lock"))
                    .filter(p -> !p.getFileName().toString().startsWith("last_reserved"))
                    .forEach(p -> {
                        String text;
                        try {
                            text = p.getFileName() + " " + Files.readString(p);
                        } catch (IOException gone) {
                            return;
                        }
                        file(text, kind + " " + p);
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void veths(String bridge) {
        Path ports = Path.of("/sys/class/net", bridge, "brif");
        if (!Files.isDirectory(ports)) {
            return;
        }
        try (Stream<Path> links = Files.list(ports)) {
            links.forEach(port -> {
                String alias = "";
                try {
                    alias = Files.readString(Path.of("/sys/class/net", port.getFileName().toString(), "ifalias"));
                } catch (IOException gone) {
                    // a veth being deleted right now
                }
                file(alias, "veth " + port.getFileName() + " (" + alias.strip() + ")");
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void cgroups(String parent) {
        try (Stream<Path> hierarchies = Files.list(CGROUP_ROOT)) {
            for (Path hierarchy : hierarchies.toList()) {
                Path top = hierarchy.resolve(parent.substring(1));
                if (Files.isDirectory(top)) {
                    try (Stream<Path> walk = Files.walk(top, 3)) {
                        walk.filter(Files::isDirectory).filter(p -> !p.equals(top))
                                .forEach(p -> file(p.getFileName().toString(), "cgroup " + p));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void nftables(String table) {
        dev.berth.common.exec.CommandResult listed = Command.of("nft", "list", "table", "inet", table).run();
        if (listed.exitCode() != 0) {
            return;
        }
        for (String line : listed.stdoutText().split("\n")) {
            if (line.contains("comment") || ID.matcher(line).find()) {
                file(line, "nft " + line.strip());
            }
        }
    }

    private void processes(Path... dirs) {
        ProcessHandle.allProcesses().forEach(p -> {
            String cmd = p.info().commandLine().orElse("");
            for (Path dir : dirs) {
                if (cmd.contains(dir.toString()) && !cmd.contains("dev.berth.cri.Berth")) {
                    // A shared-PID holder's command line names no pod; its cgroup (berth-<sandbox id>) does.
                    file(cmd + " " + cgroups(p.pid()), "process " + p.pid() + " " + cmd);
                    return;
                }
            }
        });
    }

    private static String cgroups(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"));
        } catch (IOException e) {
            return ""; // gone meanwhile
        }
    }
}
