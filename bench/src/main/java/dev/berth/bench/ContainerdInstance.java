package dev.berth.bench;

import dev.berth.bench.host.CgroupTree;
import dev.berth.bench.host.DirectorySize;
import dev.berth.bench.host.ForeignDirs;
import dev.berth.bench.host.HostProcesses;
import dev.berth.bench.host.IptablesTables;
import dev.berth.bench.host.Links;
import dev.berth.bench.host.NatRules;
import dev.berth.bench.host.WorkDir;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A containerd 1.6 of the bench's own (never the system service): its config, root, state and socket in a private
 * directory under /tmp, the CRI plugin pulling from the local registry over HTTP and wiring pods to a bench-only CNI
 * bridge. {@link #close()} removes the pods through CRI, stops the daemon by its PID, then removes what outlived it:
 * shims (found by their {@code -address}), mounts below the work dir, the bridge and its NAT rules.
 */
public final class ContainerdInstance implements RuntimeUnderTest {

    public static final Path BINARY = Path.of("/usr/bin/containerd");
    static final String BRIDGE = "ctrbench0";
    static final String SUBNET = "10.77.0.0/24";
    /** Every iptables rule the bridge plugin writes for this network names an address of the subnet. */
    static final String SUBNET_MARKER = "10.77.0.";
    static final String CGROUP_PARENT = "/berth-bench-containerd";
    /** containerd 1.6 puts shim sockets and libcni its result cache there, whatever the config says. */
    private static final List<Path> FOREIGN_DIRS = List.of(Path.of("/run/containerd/s"), Path.of("/run/containerd"),
            Path.of("/var/lib/cni/results"), Path.of("/var/lib/cni"));

    private static final Logger LOG = LoggerFactory.getLogger(ContainerdInstance.class);

    private final WorkDir work;
    private final ContainerdConfig config;
    private final ForeignDirs foreignDirs;
    private final IptablesTables tablesBefore;
    private final Optional<Path> logCopyDir;
    private final Thread shutdownHook = new Thread(this::close, "containerd-bench-cleanup");
    private RunningDaemon daemon;
    private String version = "containerd";
    private boolean closed;

    private ContainerdInstance(WorkDir work, ContainerdConfig config, IptablesTables tablesBefore,
                               Optional<Path> logCopyDir) {
        this.tablesBefore = tablesBefore;
        this.work = work;
        this.config = config;
        this.logCopyDir = logCopyDir;
        this.foreignDirs = ForeignDirs.snapshot(FOREIGN_DIRS);
    }

    /**
     * Starts containerd with {@code sandboxImage} as the pause image and {@code registry} pulled over HTTP; its log
     * is copied into {@code logCopyDir} on close, when given.
     */
    public static ContainerdInstance start(String registry, String sandboxImage, Optional<Path> logCopyDir) {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's containerd");
        }
        IptablesTables tablesBefore = IptablesTables.snapshot();
        // A bridge by this name can only be a leftover of an interrupted bench run.
        Links.deleteBridge(BRIDGE).forEach(note -> LOG.warn("before start: {}", note));
        NatRules.removeMatching("nat", SUBNET_MARKER).forEach(note -> LOG.warn("before start: {}", note));
        WorkDir work = WorkDir.create("bb-ctrd-");
        ContainerdConfig config = new ContainerdConfig(work.directory("root"), work.directory("state"),
                work.resolve("c.sock"), sandboxImage, registry, work.directory("cni"), work.directory("ipam"),
                BRIDGE, SUBNET);
        ContainerdInstance instance = new ContainerdInstance(work, config, tablesBefore, logCopyDir);
        Runtime.getRuntime().addShutdownHook(instance.shutdownHook);
        try {
            instance.launch();
            return instance;
        } catch (RuntimeException e) {
            String log = RunningDaemon.logTail(work, "containerd");
            instance.close();
            throw new IllegalStateException("containerd did not start: " + e.getMessage() + "\n" + log, e);
        }
    }

    private void launch() {
        write(work.resolve("config.toml"), config.toml());
        write(config.cniConfDir().resolve("10-berth-bench.conflist"), config.conflist());
        work.directory("client");
        daemon = RunningDaemon.launch("containerd",
                List.of(BINARY.toString(), "--config", work.resolve("config.toml").toString()), work, config.socket());
        version = "containerd " + daemon.awaitReady(true).getRuntimeVersion();
    }

    @Override
    public CriEndpoint endpoint() {
        return daemon.endpoint();
    }

    @Override
    public Path clientDir() {
        return work.resolve("client");
    }

    @Override
    public String cgroupParent() {
        return CGROUP_PARENT;
    }

    @Override
    public long storedBytes() {
        return DirectorySize.of(config.root());
    }

    @Override
    public Path ociConfig(String containerId) {
        // The runc v2 shim's bundle: <state>/io.containerd.runtime.v2.task/<namespace>/<id>, CRI's namespace k8s.io.
        return config.state().resolve("io.containerd.runtime.v2.task").resolve("k8s.io").resolve(containerId)
                .resolve("config.json");
    }

    @Override
    public long daemonPid() {
        return daemon.pid();
    }

    @Override
    public Path workDirectory() {
        return work.path();
    }

    @Override
    public String describe() {
        return version + " (runc v2 shim, overlayfs, CNI bridge " + BRIDGE + " " + SUBNET + ")";
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> notes = new ArrayList<>();
        if (daemon != null) {
            notes.addAll(daemon.stop(Duration.ofSeconds(10), logCopyDir));
        }
        notes.addAll(deleteLeftoverContainers());
        // Shims are re-parented to init: their -address argument names our socket, hence our work dir.
        notes.addAll(HostProcesses.killReferencing(work.path().toString(), Duration.ofSeconds(5)));
        notes.addAll(new CgroupTree(CGROUP_PARENT).sweep());
        notes.addAll(work.unmountAndDelete());
        notes.addAll(Links.deleteBridge(BRIDGE));
        notes.addAll(NatRules.removeMatching("nat", SUBNET_MARKER));
        notes.addAll(NatRules.removeMatching("filter", SUBNET_MARKER));
        notes.addAll(tablesBefore.removeNewEmptyTables());
        notes.addAll(foreignDirs.removeIfEmpty());
        CleanupNotes.log(LOG, "containerd", notes);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // we are the hook
        }
    }

    /** Containers the shims did not delete (a shim killed mid-flight): runc deletes them from our runc root. */
    private List<String> deleteLeftoverContainers() {
        List<String> notes = new ArrayList<>();
        Path runcRoot = config.runcRoot();
        if (!Files.isDirectory(runcRoot)) {
            return notes;
        }
        try (var namespaces = Files.list(runcRoot)) {
            for (Path namespaceRoot : namespaces.filter(Files::isDirectory).toList()) {
                CommandResult listed = Command.of(ContainerdConfig.RUNC, "--root", namespaceRoot.toString(),
                        "list", "-q").run();
                for (String id : listed.stdoutText().lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
                    CommandResult deleted = Command.of(ContainerdConfig.RUNC, "--root", namespaceRoot.toString(),
                            "delete", "-f", id).run();
                    notes.add((deleted.succeeded() ? "deleted leftover container " : "cannot delete container ")
                            + id + " " + deleted.stderrText());
                }
            }
        } catch (IOException e) {
            notes.add("cannot list " + runcRoot + ": " + e.getMessage());
        }
        return notes;
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
