package dev.berth.runtime.sandbox;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.Trees;
import dev.berth.runtime.host.cgroup.CgroupCleaner;
import dev.berth.runtime.host.cgroup.CgroupDriver;
import dev.berth.runtime.host.cgroup.CgroupJoin;
import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.runtime.host.ns.ThreadNamespaces;
import dev.berth.runtime.host.sys.Binaries;
import dev.berth.runtime.host.sys.NativeSpawn;
import dev.berth.runtime.host.sys.ProcStat;
import dev.berth.runtime.host.sys.Syscalls;
import dev.berth.runtime.store.StateLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process that holds a pod's shared PID namespace (PID mode POD): {@code catatonit -P} as PID 1 of a new PID
 * namespace, in the pod's pinned network, IPC and UTS namespaces (and its user namespace, which then owns the PID
 * namespace, for a pod that has one), in a cgroup of its own under the pod's. It is a
 * plain process, not a container: util-linux {@code nsenter} joins the pins and {@code unshare --pid --fork} makes the
 * PID namespace (the JVM never enters namespaces itself: it is multithreaded). Containers in the pod see it as PID 1,
 * so it runs as an unprivileged user without capabilities, chrooted into a directory that holds only its binary: its
 * {@code /proc/1/root} shows nothing of the host. Containers join {@code /proc/<pid>/ns/pid}. Its PID and start time
 * are recorded, so that a restarted daemon finds it again and never takes a later process with the same PID for it.
 */
public final class PidHolder {

    /** A running holder: {@code pid} is PID 1 of the pod's PID namespace, seen from the host. */
    public record Process(int pid, long startTicks) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(PidHolder.class);
    // The user the kubelet's pause image runs as; owns nothing on the node.
    private static final int HOLDER_ID = 65535;
    private static final Duration START_WAIT = Duration.ofSeconds(10);
    private static final Duration EXIT_WAIT = Duration.ofSeconds(10);
    private static final String BINARY = "catatonit";

    private final StateLayout layout;
    private final CgroupJoin join;
    private final CgroupCleaner cgroups;
    private final CgroupDriver driver;
    private final Path catatonit;
    private final Set<String> stopping = ConcurrentHashMap.newKeySet();
    private final Object rootLock = new Object();
    private Path root;

    public PidHolder(StateLayout layout, CgroupJoin join, CgroupCleaner cgroups, CgroupDriver driver,
            Path catatonit) {
        this.layout = layout;
        this.join = join;
        this.cgroups = cgroups;
        this.driver = driver;
        this.catatonit = catatonit;
    }

    /** The PID namespace file a container of the pod joins. */
    public static Path namespaceOf(int pid) {
        return Path.of("/proc", Integer.toString(pid), "ns", "pid");
    }

    /** The holder's cgroup: a child of the pod's, like a container's. */
    public String cgroupOf(String sandboxId, String cgroupParent) {
        return driver.containerPath(cgroupParent, sandboxId);
    }

    /** Starts the holder in the pod's pinned namespaces and cgroup; returns it once it runs. On failure nothing is left. */
    public Process start(String sandboxId, PinnedNamespaces pins, String cgroupParent) {
        long started = System.nanoTime();
        Path log = layout.sandboxRuntime(sandboxId).resolve("pidholder.log");
        // A thread of the daemon joins the pod's namespaces and spawns the launcher there; only a user namespace,
        // which one thread cannot join, needs nsenter in front (one program start more).
        boolean joinOnThread = ThreadNamespaces.canJoin(pins);
        List<String> args = new ArrayList<>();
        if (!joinOnThread) {
            for (NamespaceKind kind : NamespaceKind.values()) {
                pins.path(kind).ifPresent(path -> args.add("--" + kind.dirName() + "=" + path));
            }
        }
        Path first;
        if (args.isEmpty()) {
            first = Binaries.find("unshare");
        } else {
            first = Binaries.find("nsenter");
            args.addAll(List.of("--", Binaries.find("unshare").toString()));
        }
        args.addAll(List.of("--pid", "--kill-child", "--root=" + root(), "--setuid=" + HOLDER_ID,
                "--setgid=" + HOLDER_ID, "--", "/" + BINARY, "-P"));
        try {
            Files.createDirectories(log.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the PID holder of sandbox " + sandboxId, e);
        }
        Supplier<Integer> spawn = () -> NativeSpawn.of(first, args)
                .open(0, Path.of("/dev/null"), Syscalls.O_RDONLY, 0)
                .open(1, log, Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_APPEND, 0600)
                .open(2, log, Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_APPEND, 0600)
                .start();
        int launcher = joinOnThread
                ? ThreadNamespaces.callInside(pins, "starting the PID holder of sandbox " + sandboxId, spawn)
                : spawn.get();
        String cgroup = cgroupOf(sandboxId, cgroupParent);
        Process holder;
        try {
            holder = awaitHolder(sandboxId, launcher, log);
            join.join(cgroup, List.of(launcher, holder.pid()));
        } catch (RuntimeException e) {
            // The holder itself first: it loses its parent-death signal when it drops to the holder's user, so
            // killing the launcher alone would leave it running, outside any cgroup, for ever.
            ProcessHandle.of(launcher).ifPresent(handle -> handle.descendants().forEach(ProcessHandle::destroyForcibly));
            Syscalls.kill(launcher, Syscalls.SIGKILL);
            Syscalls.waitpid(launcher, true);
            removeCgroup(sandboxId, cgroup);
            throw e;
        }
        // The launcher (unshare, waiting for the holder) is this daemon's child: reap it when the holder is gone.
        ProcessHandle.of(launcher).ifPresent(handle -> handle.onExit().thenRun(() -> {
            Syscalls.waitpid(launcher, false);
            exited(sandboxId, holder);
        }));
        LOG.info("event=pid_holder_started sandbox={} pid={} took_ms={}", sandboxId, holder.pid(),
                (System.nanoTime() - started) / 1_000_000);
        return holder;
    }

    /** The recorded holder, if it still runs (recovery); its exit is watched again. */
    public Optional<Process> find(String sandboxId, int pid, long startTicks) {
        if (pid <= 0 || !ProcStat.running(pid, startTicks)) {
            return Optional.empty();
        }
        Process holder = new Process(pid, startTicks);
        ProcessHandle.of(pid).ifPresent(handle -> handle.onExit().thenRun(() -> exited(sandboxId, holder)));
        return Optional.of(holder);
    }

    /**
     * Kills the holder (if the recorded process still runs) and waits until it is gone, then removes its cgroup;
     * with no record ({@code pid} 0, a crash during RunPodSandbox) whatever is in its cgroup is killed. Idempotent.
     */
    public void destroy(String sandboxId, String cgroupParent, int pid, long startTicks) {
        String cgroup = cgroupOf(sandboxId, cgroupParent);
        stopping.add(sandboxId);
        try {
            if (pid > 0) {
                kill(sandboxId, pid, startTicks);
            } else {
                for (int leftover : join.processes(cgroup)) {
                    ProcStat.read(leftover).ifPresent(s -> kill(sandboxId, s.pid(), s.startTicks()));
                }
            }
            removeCgroup(sandboxId, cgroup);
        } finally {
            stopping.remove(sandboxId);
        }
        try {
            Files.deleteIfExists(layout.sandboxRuntime(sandboxId).resolve("pidholder.log"));
        } catch (IOException e) {
            LOG.debug("event=pid_holder_log_left sandbox={} error=\"{}\"", sandboxId, e.getMessage());
        }
    }

    /** Whether an earlier version of berth left a holder container (with its OCI bundle) for this sandbox. */
    public boolean hasLegacyBundle(String sandboxId) {
        return Files.exists(legacyBundle(sandboxId).resolve("config.json"));
    }

    /** Kills and deletes a holder container of an earlier version of berth, and its bundle. */
    public void removeLegacy(OciHandlers.Handler handler, String sandboxId) {
        Path bundle = legacyBundle(sandboxId);
        if (handler.runtime().state(sandboxId).isPresent()) {
            handler.runtime().delete(sandboxId, true);
        }
        MonitorExit.await(bundle, EXIT_WAIT);
        handler.conmon().cleanup(sandboxId, bundle);
        Trees.deleteRecursively(bundle);
    }

    private Path legacyBundle(String sandboxId) {
        return layout.sandboxRuntime(sandboxId).resolve("pidholder");
    }

    private void kill(String sandboxId, int pid, long startTicks) {
        // A pidfd pins the process: once it is open and the start time matches, the signal cannot hit a successor.
        int pidfd = Syscalls.pidfdOpen(pid);
        if (pidfd < 0) {
            return;
        }
        try {
            if (!ProcStat.running(pid, startTicks)) {
                return;
            }
            Syscalls.kill(pid, Syscalls.SIGKILL);
            if (!Syscalls.awaitReadable(pidfd, EXIT_WAIT.toMillis())) {
                LOG.warn("event=pid_holder_exit_wait_timeout sandbox={} pid={}", sandboxId, pid);
            }
        } finally {
            Syscalls.close(pidfd);
        }
    }

    private void removeCgroup(String sandboxId, String cgroup) {
        // The holder is gone, its launcher may still be exiting: give the cgroup a moment to empty.
        long deadline = System.nanoTime() + EXIT_WAIT.toNanos();
        while (true) {
            try {
                cgroups.remove(cgroup);
                return;
            } catch (BerthException e) {
                if (System.nanoTime() > deadline) {
                    LOG.warn("event=pid_holder_cgroup_left sandbox={} error=\"{}\"", sandboxId, e.getMessage());
                    return;
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    private void exited(String sandboxId, Process holder) {
        if (stopping.contains(sandboxId)) {
            LOG.info("event=pid_holder_exited sandbox={} pid={} expected=true", sandboxId, holder.pid());
        } else {
            LOG.warn("event=pid_holder_exited sandbox={} pid={} expected=false", sandboxId, holder.pid());
        }
    }

    /** Waits until unshare's child runs the holder binary; fails with the launcher's output if it exits first. */
    private Process awaitHolder(String sandboxId, int launcher, Path log) {
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        Path children = Path.of("/proc", Integer.toString(launcher), "task", Integer.toString(launcher), "children");
        while (true) {
            int status = Syscalls.waitpid(launcher, false);
            if (status != -1) {
                throw BerthException.internal("the PID holder of sandbox " + sandboxId + " exited at start (status "
                        + status + "): " + readQuietly(log), null);
            }
            Optional<ProcStat> child = firstChild(launcher, children);
            if (child.isPresent() && child.get().comm().equals(BINARY)) {
                return new Process(child.get().pid(), child.get().startTicks());
            }
            if (System.nanoTime() > deadline) {
                throw BerthException.internal("the PID holder of sandbox " + sandboxId + " did not start within "
                        + START_WAIT.toSeconds() + " s: " + readQuietly(log), null);
            }
            LockSupport.parkNanos(200_000);
        }
    }

    private static Optional<ProcStat> firstChild(int launcher, Path children) {
        try {
            String text = Files.readString(children).strip();
            if (!text.isEmpty()) {
                return ProcStat.read(Integer.parseInt(text.split(" ")[0]));
            }
            return Optional.empty();
        } catch (IOException e) {
            // Kernels without the children file: find it by its parent link.
            return ProcessHandle.of(launcher).flatMap(h -> h.children().findFirst())
                    .flatMap(h -> ProcStat.read((int) h.pid()));
        }
    }

    /**
     * Kills the holders of this state directory that no sandbox record names, with their launchers. A daemon killed
     * after starting a holder but before moving it into its cgroup and recording it leaves one behind, which
     * neither the record nor the cgroup would ever find again.
     *
     * @param recorded the holder PIDs the sandbox records name (they and their launchers are left alone)
     */
    public void killStrays(Set<Integer> recorded) {
        String rootDir = rootDir().toString();
        String launcherOption = "--root=" + rootDir;
        List<ProcessHandle> strays = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(process -> {
            int pid = (int) process.pid();
            if (rootDir.equals(rootOf(pid))) {
                if (!recorded.contains(pid)) {
                    strays.add(process);
                }
            } else if (process.info().arguments().map(args -> List.of(args).contains(launcherOption)).orElse(false)
                    && process.children().noneMatch(child -> recorded.contains((int) child.pid()))) {
                strays.add(process);
            }
        });
        for (ProcessHandle stray : strays) {
            ProcStat.read((int) stray.pid()).ifPresent(stat -> kill("(unrecorded)", stat.pid(), stat.startTicks()));
            LOG.info("event=stray_pid_holder_killed pid={}", stray.pid());
        }
    }

    private static String rootOf(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "root")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return ""; // gone, or a kernel thread
        }
    }

    private Path rootDir() {
        return layout.stateDir().toAbsolutePath().resolve("pidholder-root");
    }

    /** A root directory holding only the holder's binary, made once per daemon state directory. */
    private Path root() {
        synchronized (rootLock) {
            if (root == null) {
                Path dir = rootDir();
                try {
                    Files.createDirectories(dir);
                    Path copy = dir.resolve(BINARY);
                    Path next = dir.resolve(BINARY + ".new");
                    Files.copy(catatonit, next, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("r-xr-xr-x"));
                    Files.move(next, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot prepare the PID holder's root " + dir, e);
                }
                root = dir;
            }
            return root;
        }
    }

    private static String readQuietly(Path log) {
        try {
            return Files.readString(log).strip();
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
