package dev.berth.runtime.testing;

import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import dev.berth.common.fs.Trees;
import dev.berth.runtime.host.cgroup.CgroupCleaner;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.monitor.Conmon;
import dev.berth.runtime.host.monitor.ConmonSettings;
import dev.berth.runtime.host.monitor.ExitWatcher;
import dev.berth.runtime.host.ns.NamespacePins;
import dev.berth.runtime.host.oci.OciRuntime;
import dev.berth.runtime.host.sys.Binaries;
import dev.berth.common.fs.MountTable;
import dev.berth.runtime.host.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throw-away host environment for root integration tests: a private state dir under /run, a private runc root, a
 * private cgroup parent. Tests register their own cleanup (through the API under test) with {@link #onClose};
 * {@link #close()} runs it, then force-removes anything still left (containers, processes naming the state dir,
 * mounts, cgroups, files) and FAILS listing what the test's own cleanup left behind.
 */
public final class TestHost implements AutoCloseable {

    private final String tag = TestIds.hex(4);
    private final Path stateDir = Path.of("/run/berth-test-" + tag);
    private final String cgroupParent = "/berth-test-" + tag;
    private final Deque<Runnable> cleanups = new ArrayDeque<>();
    private OciRuntime runtime;
    private Conmon conmon;
    private ExitWatcher exitWatcher;

    private TestHost() {
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestHost create() {
        return new TestHost();
    }

    public Path stateDir() {
        return stateDir;
    }

    /** A cgroupfs parent private to this test (absolute). */
    public String cgroupParent() {
        return cgroupParent;
    }

    public Path dir(String name) {
        try {
            return Files.createDirectories(stateDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized OciRuntime runtime() {
        if (runtime == null) {
            runtime = new OciRuntime("runc", Binaries.find("runc"), stateDir.resolve("runc"), false);
        }
        return runtime;
    }

    public synchronized Conmon conmon() {
        if (conmon == null) {
            conmon = new Conmon(ConmonSettings.under(stateDir), runtime());
        }
        return conmon;
    }

    public synchronized ExitWatcher exitWatcher() {
        if (exitWatcher == null) {
            exitWatcher = new ExitWatcher(conmon().settings().exitDir());
        }
        return exitWatcher;
    }

    public NamespacePins pins() {
        return new NamespacePins(stateDir);
    }

    /** Runs at close, last registered first. */
    public synchronized void onClose(Runnable cleanup) {
        cleanups.push(cleanup);
    }

    @Override
    public void close() {
        List<String> errors = new ArrayList<>();
        while (true) {
            Runnable cleanup;
            synchronized (this) {
                cleanup = cleanups.poll();
            }
            if (cleanup == null) {
                break;
            }
            try {
                cleanup.run();
            } catch (RuntimeException | AssertionError e) {
                errors.add("cleanup failed: " + e);
            }
        }
        if (exitWatcher != null) {
            exitWatcher.close();
        }
        List<String> leaks = new ArrayList<>();
        forceRemoveContainers(leaks);
        killProcesses(leaks);
        unmountAll(leaks);
        removeCgroups(leaks);
        try {
            Trees.deleteRecursively(stateDir);
        } catch (UncheckedIOException e) {
            errors.add("cannot delete " + stateDir + ": " + e.getMessage());
        }
        if (!leaks.isEmpty() || !errors.isEmpty()) {
            throw new AssertionError("test left host state behind: " + leaks + " " + errors);
        }
    }

    /**
     * Waits (up to 5 s) until some process names the state directory. posix_spawn returns once the child's exec has
     * begun, and its cmdline reads empty until the kernel has laid out the new argv: a check made at once can miss it.
     */
    public List<Long> awaitProcessesUsingStateDir() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<Long> pids = processesUsingStateDir();
        while (pids.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
            pids = processesUsingStateDir();
        }
        return pids;
    }

    /** Processes whose command line names this test's state dir (conmon, runc, container helpers). */
    public List<Long> processesUsingStateDir() {
        List<Long> pids = new ArrayList<>();
        String needle = stateDir.toString();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.toList()) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")),
                            StandardCharsets.UTF_8);
                    if (cmdline.contains(needle)) {
                        pids.add(Long.parseLong(name));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    private void forceRemoveContainers(List<String> leaks) {
        Path root = stateDir.resolve("runc");
        if (!Files.isDirectory(root)) {
            return;
        }
        CommandResult list = Command.of(Binaries.find("runc").toString(), "--root", root.toString(), "list", "-q")
                .run();
        for (String id : list.stdoutText().split("\n")) {
            if (!id.isBlank()) {
                leaks.add("runc container " + id);
                Command.of(Binaries.find("runc").toString(), "--root", root.toString(), "delete", "-f", id).run();
            }
        }
    }

    private void killProcesses(List<String> leaks) {
        List<Long> pids = processesUsingStateDir();
        for (long pid : pids) {
            leaks.add("process " + pid);
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(h -> {
                try {
                    h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    // best effort
                }
            });
        }
    }

    private void unmountAll(List<String> leaks) {
        List<MountTable.Entry> mounts = new ArrayList<>(MountTable.current().under(stateDir));
        mounts.sort(Comparator.comparingInt((MountTable.Entry e) -> e.mountPoint().getNameCount()).reversed());
        for (MountTable.Entry mount : mounts) {
            // The pin root's and the read-only staging root's self bind mounts are the things allowed to stay until
            // the state dir goes.
            if (!mount.mountPoint().equals(stateDir.resolve("ns"))
                    && !mount.mountPoint().equals(stateDir.resolve("mounts"))) {
                leaks.add("mount " + mount.mountPoint());
            }
            for (int i = 0; i < 4 && Syscalls.umount(mount.mountPoint().toString()); i++) {
                // detach stacked mounts too
            }
        }
    }

    private void removeCgroups(List<String> leaks) {
        CgroupCleaner cleaner = new CgroupCleaner(CgroupLayout.detect());
        for (Path dir : cleaner.existing(cgroupParent)) {
            leaks.add("cgroup " + dir);
        }
        try {
            cleaner.remove(cgroupParent);
        } catch (RuntimeException e) {
            leaks.add("busy cgroups: " + e.getMessage());
        }
    }
}
