package dev.berth.bench;

import dev.berth.bench.cni.CniChain;
import dev.berth.bench.host.CgroupTree;
import dev.berth.bench.host.DirectorySize;
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
 * berth started through its launcher ({@code bin/berth serve}, the fat jar and AppCDS archive that
 * {@code deploy/build.sh} makes) with a private socket, root and state under /tmp, the local registry marked
 * insecure, metrics off and either the built-in bridge or the bench's standard CNI chain, on a bench-only name and
 * subnet. berth's own RemovePodSandbox undoes what a pod made; {@link #close()} stops the daemon by its PID and sweeps
 * whatever is left.
 */
public final class BerthInstance implements RuntimeUnderTest {

    static final String BRIDGE = BerthConfig.BUILTIN_BRIDGE;
    static final String SUBNET = BerthConfig.BUILTIN_SUBNET;
    static final String SUBNET_MARKER = "10.78.0.";
    /** The same-chain case: the standard conflist on a bridge and subnet of berth's own. */
    static final String CHAIN_BRIDGE = "brtchain0";
    static final String CHAIN_SUBNET = "10.79.0.0/24";
    static final String CHAIN_NETWORK = "berth-bench-berth";
    /** berth names its built-in network's nftables table after a non-default bridge. */
    static final String NFT_TABLE = "berth_" + BRIDGE;
    static final String CGROUP_PARENT = "/berth-bench-berth";

    private static final Logger LOG = LoggerFactory.getLogger(BerthInstance.class);

    private final WorkDir work;
    private final Optional<Path> logCopyDir;
    private final Optional<CniChain> chain;
    private final IptablesTables tablesBefore;
    private final Thread shutdownHook = new Thread(this::close, "berth-bench-cleanup");
    private RunningDaemon daemon;
    private String version = "berth";
    private boolean closed;

    private BerthInstance(WorkDir work, Optional<Path> logCopyDir, Optional<CniChain> chain,
                          IptablesTables tablesBefore) {
        this.work = work;
        this.logCopyDir = logCopyDir;
        this.chain = chain;
        this.tablesBefore = tablesBefore;
    }

    /**
     * Starts {@code <repository>/bin/berth serve} trusting {@code registry} over plain HTTP; its log is copied into
     * {@code logCopyDir} on close, when given. With {@code sameChain} pods go through the bench's standard CNI chain
     * on {@link #CHAIN_BRIDGE} instead of the built-in bridge.
     */
    public static BerthInstance start(Path repository, String registry, Optional<Path> logCopyDir,
                                      boolean sameChain, String logLevel) {
        Path launcher = repository.resolve("bin/berth");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " is missing");
        }
        if (!Files.isReadable(repository.resolve("build/berth.jar"))) {
            throw new IllegalStateException(repository.resolve("build/berth.jar") + " is missing: run deploy/build.sh");
        }
        IptablesTables tablesBefore = IptablesTables.snapshot();
        // Bridges by these names can only be leftovers of an interrupted bench run.
        Links.deleteBridge(BRIDGE).forEach(note -> LOG.warn("before start: {}", note));
        Links.deleteBridge(CHAIN_BRIDGE).forEach(note -> LOG.warn("before start: {}", note));
        WorkDir work = WorkDir.create("bb-berth-");
        Optional<CniChain> chain = sameChain
                ? Optional.of(new CniChain(CHAIN_NETWORK, CHAIN_BRIDGE, CHAIN_SUBNET, work.directory("ipam")))
                : Optional.empty();
        chain.ifPresent(c -> {
            NatRules.removeMatching("nat", c.subnetMarker()).forEach(note -> LOG.warn("before start: {}", note));
            NatRules.removeMatching("filter", c.subnetMarker()).forEach(note -> LOG.warn("before start: {}", note));
        });
        BerthInstance instance = new BerthInstance(work, logCopyDir, chain, tablesBefore);
        Runtime.getRuntime().addShutdownHook(instance.shutdownHook);
        try {
            instance.launch(launcher, registry, logLevel);
            return instance;
        } catch (RuntimeException e) {
            String log = RunningDaemon.logTail(work, "berth");
            instance.close();
            throw new IllegalStateException("berth did not start: " + e.getMessage() + "\n" + log, e);
        }
    }

    private void launch(Path launcher, String registry, String logLevel) {
        Path config = work.resolve("config.toml");
        Path socket = work.resolve("b.sock");
        BerthConfig berthConfig = new BerthConfig(socket, work.directory("root"), work.directory("state"), registry,
                logLevel, work.directory("cni"), chain);
        write(config, berthConfig.toml());
        chain.ifPresent(c -> write(berthConfig.confDir().resolve(BerthConfig.CONFLIST_NAME), c.conflist()));
        work.directory("client");
        daemon = RunningDaemon.launch("berth", List.of(launcher.toString(), "serve", "--config", config.toString()),
                work, socket);
        var response = daemon.awaitReady(false);
        version = response.getRuntimeName() + " " + response.getRuntimeVersion();
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
        return DirectorySize.of(work.resolve("root"));
    }

    @Override
    public Path ociConfig(String containerId) {
        // berth's bundles: <state>/containers/<id> (StateLayout.containerBundle).
        return work.resolve("state").resolve("containers").resolve(containerId).resolve("config.json");
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
        return version + chain.map(c -> " (runc + conmon, CNI chain bridge+host-local+portmap on " + c.bridge() + " "
                + c.subnet() + ")").orElse(" (runc + conmon, built-in bridge " + BRIDGE + " " + SUBNET + ")");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> notes = new ArrayList<>();
        if (daemon != null) {
            // berth lets in-flight calls finish for up to server.shutdown_grace_seconds (10 s by default).
            notes.addAll(daemon.stop(Duration.ofSeconds(15), logCopyDir));
        }
        // conmon outlives the daemon by design; its arguments name our state dir.
        notes.addAll(HostProcesses.killReferencing(work.path().toString(), Duration.ofSeconds(5)));
        notes.addAll(new CgroupTree(CGROUP_PARENT).sweep());
        notes.addAll(work.unmountAndDelete());
        notes.addAll(Links.deleteBridge(BRIDGE));
        notes.addAll(deleteNftTable());
        notes.addAll(NatRules.removeMatching("nat", SUBNET_MARKER));
        chain.ifPresent(c -> {
            notes.addAll(Links.deleteBridge(c.bridge()));
            notes.addAll(NatRules.removeMatching("nat", c.subnetMarker()));
            notes.addAll(NatRules.removeMatching("filter", c.subnetMarker()));
        });
        notes.addAll(tablesBefore.removeNewEmptyTables());
        CleanupNotes.log(LOG, "berth", notes);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // we are the hook
        }
    }

    /** The built-in network's table is named after the bench bridge: it can only be ours. */
    private static List<String> deleteNftTable() {
        List<String> notes = new ArrayList<>();
        if (Command.of("nft", "list", "table", "inet", NFT_TABLE).run().succeeded()) {
            CommandResult deleted = Command.of("nft", "delete", "table", "inet", NFT_TABLE).run();
            notes.add(deleted.succeeded() ? "deleted nftables table inet " + NFT_TABLE
                    : "cannot delete nftables table inet " + NFT_TABLE + ": " + deleted.stderrText());
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
