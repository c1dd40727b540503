package dev.berth.runtime.host.ns;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandFailedException;
import dev.berth.runtime.host.sys.Binaries;
import dev.berth.common.fs.MountTable;
import dev.berth.runtime.host.sys.SyscallException;
import dev.berth.runtime.host.sys.Syscalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and removes a sandbox's namespace pins: bind mounts of nsfs files under {@code <stateDir>/ns/<kind>/<id>}
 * made by util-linux {@code unshare} (the JVM never calls unshare/setns: it is multithreaded). The pin root is
 * bind-mounted onto itself with private propagation so pins don't leak into other mount namespaces, where they would
 * keep the namespaces alive after unpin.
 */
public final class NamespacePins {

    private static final Logger LOG = LoggerFactory.getLogger(NamespacePins.class);
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);

    private final Path root;
    private final Object rootLock = new Object();
    private boolean rootReady;

    /** @param stateDir the daemon's runtime state directory (e.g. /run/berth); pins go to {@code stateDir/ns}. */
    public NamespacePins(Path stateDir) {
        this.root = stateDir.toAbsolutePath().normalize().resolve("ns");
    }

    public Path root() {
        return root;
    }

    /** The pin file a sandbox's namespace of {@code kind} would have (whether or not it exists). */
    public Path pinPath(NamespaceKind kind, String sandboxId) {
        return root.resolve(kind.dirName()).resolve(checkId(sandboxId));
    }

    /**
     * Pins fresh namespaces of the given kinds for a sandbox and, if a network namespace is among them, brings
     * {@code lo} up in it and runs {@code netnsCommands} ({@code ip -batch} lines, e.g. a pod network's veth and
     * addresses) inside it: one spawn for the whole step. Kinds not asked for stay the host's. The UTS namespace
     * gets its hostname from the OCI runtime when a container joins it. On failure, everything done so far is undone.
     */
    public PinnedNamespaces pin(String sandboxId, Set<NamespaceKind> kinds, List<String> netnsCommands) {
        return pin(sandboxId, kinds, netnsCommands, null);
    }

    /**
     * As {@link #pin(String, Set, List)}; with {@link NamespaceKind#USER} among the kinds the pod gets its own user
     * namespace with {@code userMapping}, and its other new namespaces are made inside it (owned by it), so that
     * its containers, which join the user namespace first, may join them.
     */
    public PinnedNamespaces pin(String sandboxId, Set<NamespaceKind> kinds, List<String> netnsCommands,
            UserNamespaceMapping userMapping) {
        checkId(sandboxId);
        EnumSet<NamespaceKind> wanted = kinds.isEmpty() ? EnumSet.noneOf(NamespaceKind.class) : EnumSet.copyOf(kinds);
        if (wanted.isEmpty()) {
            return PinnedNamespaces.none(sandboxId);
        }
        if (!netnsCommands.isEmpty() && !wanted.contains(NamespaceKind.NET)) {
            throw new IllegalArgumentException("network namespace commands without a network namespace");
        }
        ensureRoot();
        for (NamespaceKind kind : wanted) {
            if (Files.exists(pinPath(kind, sandboxId), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw BerthException.alreadyExists("namespace pin " + pinPath(kind, sandboxId) + " already exists");
            }
        }
        if (wanted.contains(NamespaceKind.USER) != (userMapping != null)) {
            throw new IllegalArgumentException("a user namespace pin needs its mapping, and only it");
        }
        long started = System.nanoTime();
        if (userMapping != null) {
            return pinInUserNamespace(sandboxId, wanted, netnsCommands, userMapping, started);
        }
        if (netnsCommands.isEmpty() && ThreadNamespaces.canMake(wanted)) {
            return pinFromThread(sandboxId, wanted, started);
        }
        undoingOnFailure(sandboxId, () -> {
            List<String> argv = new ArrayList<>();
            argv.add(Binaries.find("unshare").toString());
            for (NamespaceKind kind : wanted) {
                Path file = pinPath(kind, sandboxId);
                Files.createFile(file);
                argv.add("--" + kind.dirName() + "=" + file);
            }
            argv.add("--");
            Command command;
            if (wanted.contains(NamespaceKind.NET)) {
                // The helper runs inside the new namespaces, so it can set them up in the same spawn.
                argv.addAll(List.of(Binaries.find("ip").toString(), "-batch", "-"));
                List<String> lines = new ArrayList<>();
                lines.add("link set lo up");
                lines.addAll(netnsCommands);
                command = Command.of(argv).withStdin((String.join("\n", lines) + "\n").getBytes(UTF_8));
            } else {
                argv.add(Binaries.find("true").toString());
                command = Command.of(argv);
            }
            command.withTimeout(HELPER_TIMEOUT).check();
        });
        PinnedNamespaces pinned = new PinnedNamespaces(sandboxId,
                wanted.contains(NamespaceKind.NET) ? pinPath(NamespaceKind.NET, sandboxId) : null,
                wanted.contains(NamespaceKind.IPC) ? pinPath(NamespaceKind.IPC, sandboxId) : null,
                wanted.contains(NamespaceKind.UTS) ? pinPath(NamespaceKind.UTS, sandboxId) : null);
        LOG.info("event=namespaces_pinned sandbox={} kinds={} netns_commands={} took_ms={}", sandboxId, wanted,
                netnsCommands.size(), (System.nanoTime() - started) / 1_000_000);
        return pinned;
    }

    /** Nothing to run inside the new namespaces: a thread of the daemon makes them, no program is started. */
    private PinnedNamespaces pinFromThread(String sandboxId, EnumSet<NamespaceKind> wanted, long started) {
        Map<NamespaceKind, Path> pins = new EnumMap<>(NamespaceKind.class);
        undoingOnFailure(sandboxId, () -> {
            for (NamespaceKind kind : wanted) {
                pins.put(kind, Files.createFile(pinPath(kind, sandboxId)));
            }
            ThreadNamespaces.makeAndPin(sandboxId, pins);
        });
        LOG.info("event=namespaces_pinned sandbox={} kinds={} netns_commands=0 in_process=true took_ms={}",
                sandboxId, wanted, (System.nanoTime() - started) / 1_000_000);
        return new PinnedNamespaces(sandboxId, pins.get(NamespaceKind.NET), pins.get(NamespaceKind.IPC),
                pins.get(NamespaceKind.UTS));
    }

    private PinnedNamespaces pinInUserNamespace(String sandboxId, EnumSet<NamespaceKind> wanted,
            List<String> netnsCommands, UserNamespaceMapping mapping, long started) {
        undoingOnFailure(sandboxId, () -> {
            for (NamespaceKind kind : wanted) {
                Files.createFile(pinPath(kind, sandboxId));
            }
            UserNamespaceMaker.make(kind -> pinPath(kind, sandboxId), wanted, mapping, HELPER_TIMEOUT);
            if (wanted.contains(NamespaceKind.NET)) {
                // Host root may enter a namespace owned by the pod's user namespace (it owns that namespace).
                List<String> lines = new ArrayList<>();
                lines.add("link set lo up");
                lines.addAll(netnsCommands);
                Command.of(Binaries.find("nsenter").toString(), "--net=" + pinPath(NamespaceKind.NET, sandboxId),
                        "--", Binaries.find("ip").toString(), "-batch", "-")
                        .withStdin((String.join("\n", lines) + "\n").getBytes(UTF_8))
                        .withTimeout(HELPER_TIMEOUT).check();
            }
        });
        PinnedNamespaces pinned = new PinnedNamespaces(sandboxId,
                wanted.contains(NamespaceKind.NET) ? pinPath(NamespaceKind.NET, sandboxId) : null,
                wanted.contains(NamespaceKind.IPC) ? pinPath(NamespaceKind.IPC, sandboxId) : null,
                wanted.contains(NamespaceKind.UTS) ? pinPath(NamespaceKind.UTS, sandboxId) : null,
                pinPath(NamespaceKind.USER, sandboxId), mapping);
        LOG.info("event=namespaces_pinned sandbox={} kinds={} userns={} netns_commands={} took_ms={}", sandboxId,
                wanted, mapping, netnsCommands.size(), (System.nanoTime() - started) / 1_000_000);
        return pinned;
    }

    /** Making a sandbox's pins: pin files, a helper program or a thread. */
    private interface PinWork {
        void run() throws IOException;
    }

    /** Runs {@code work}; when it fails, the sandbox's pins made so far are removed and the failure is reported. */
    private void undoingOnFailure(String sandboxId, PinWork work) {
        try {
            work.run();
        } catch (CommandFailedException e) {
            unpinQuietly(sandboxId);
            throw new BerthException(BerthException.Kind.INTERNAL,
                    "cannot pin namespaces of sandbox " + sandboxId + ": " + e.getMessage(), e);
        } catch (IOException e) {
            unpinQuietly(sandboxId);
            throw BerthException.internal("cannot pin namespaces of sandbox " + sandboxId + ": " + e, e);
        } catch (RuntimeException e) {
            unpinQuietly(sandboxId);
            throw e;
        }
    }

    /**
     * Pins a user namespace alone at {@code <root>/user/<name>} (the start-up probe); {@link #unpin} removes it.
     */
    public Path pinUserNamespace(String name, UserNamespaceMapping mapping) {
        checkId(name);
        ensureRoot();
        Path file = pinPath(NamespaceKind.USER, name);
        unpinQuietly(name); // a crash may have left the last one
        try {
            Files.createFile(file);
            UserNamespaceMaker.make(kind -> file, EnumSet.of(NamespaceKind.USER), mapping, HELPER_TIMEOUT);
            return file;
        } catch (IOException e) {
            unpinQuietly(name);
            throw BerthException.internal("cannot pin a user namespace at " + file + ": " + e, e);
        } catch (RuntimeException e) {
            unpinQuietly(name);
            throw e;
        }
    }

    /** The pins that exist for a sandbox now (recovery after a restart). */
    public PinnedNamespaces find(String sandboxId) {
        MountTable mounts = MountTable.current();
        Path[] paths = new Path[NamespaceKind.values().length];
        for (NamespaceKind kind : NamespaceKind.values()) {
            Path file = pinPath(kind, sandboxId);
            paths[kind.ordinal()] = mounts.isMountPoint(file) ? file : null;
        }
        return new PinnedNamespaces(sandboxId, paths[NamespaceKind.NET.ordinal()], paths[NamespaceKind.IPC.ordinal()],
                paths[NamespaceKind.UTS.ordinal()], paths[NamespaceKind.USER.ordinal()], null);
    }

    /** Unmounts and removes every pin of a sandbox. Idempotent: missing pins are fine. */
    public void unpin(String sandboxId) {
        List<String> failures = new ArrayList<>();
        for (NamespaceKind kind : NamespaceKind.values()) {
            Path file = pinPath(kind, sandboxId);
            try {
                // A pin may be stacked if a crashed pin was retried; detach until nothing is mounted there.
                for (int i = 0; i < 4 && Syscalls.umount(file.toString()); i++) {
                    LOG.debug("event=namespace_unpinned sandbox={} kind={}", sandboxId, kind);
                }
                Files.deleteIfExists(file);
            } catch (SyscallException | IOException e) {
                failures.add(file + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw BerthException.internal("cannot unpin namespaces of sandbox " + sandboxId + ": " + failures, null);
        }
    }

    private void unpinQuietly(String sandboxId) {
        try {
            unpin(sandboxId);
        } catch (RuntimeException e) {
            LOG.warn("event=unpin_failed sandbox={} error=\"{}\"", sandboxId, e.getMessage());
        }
    }

    private void ensureRoot() {
        synchronized (rootLock) {
            if (rootReady) {
                return;
            }
            try {
                Files.createDirectories(root);
                for (NamespaceKind kind : NamespaceKind.values()) {
                    Files.createDirectories(root.resolve(kind.dirName()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + root, e);
            }
            try {
                if (!MountTable.current().isMountPoint(root)) {
                    Syscalls.mount(root.toString(), root.toString(), null, Syscalls.MS_BIND | Syscalls.MS_REC, null);
                }
                Syscalls.mount("none", root.toString(), null, Syscalls.MS_PRIVATE | Syscalls.MS_REC, null);
            } catch (SyscallException e) {
                throw BerthException.internal("cannot prepare namespace pin root " + root + ": " + e.getMessage(), e);
            }
            rootReady = true;
        }
    }

    private static String checkId(String sandboxId) {
        if (sandboxId == null || !SAFE_ID.matcher(sandboxId).matches()) {
            throw BerthException.invalidArgument("invalid sandbox id " + sandboxId);
        }
        return sandboxId;
    }
}
