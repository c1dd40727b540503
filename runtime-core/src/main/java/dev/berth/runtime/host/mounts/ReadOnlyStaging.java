package dev.berth.runtime.host.mounts;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.MountTable;
import dev.berth.runtime.host.sys.SyscallException;
import dev.berth.runtime.host.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recursive read-only copies of host directories for {@code Mount.recursive_read_only}. runc 1.1.5 makes only the
 * top of a bind mount read-only, so berth stages the source first: a recursive bind under
 * {@code <state>/mounts/<container>/<n>}, made private and then read-only mount by mount with
 * {@code mount_setattr(AT_RECURSIVE, MOUNT_ATTR_RDONLY)}. runc binds the staged tree recursively and every copied
 * mount keeps its read-only flag. The staging root is bound onto itself with private propagation (kept for the
 * node's lifetime, like the namespace pins' root) so that staged mounts never propagate into other mount
 * namespaces.
 */
public final class ReadOnlyStaging {

    private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyStaging.class);
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final Path root;
    private final Object rootLock = new Object();
    private boolean rootReady;
    private final boolean supported;

    private ReadOnlyStaging(Path root, boolean supported) {
        this.root = root;
        this.supported = supported;
    }

    /** Prepares the staging root and checks that this kernel and libc can make a mount tree read-only. */
    public static ReadOnlyStaging open(Path stateDir) {
        ReadOnlyStaging staging = new ReadOnlyStaging(stateDir.toAbsolutePath().normalize().resolve("mounts"), true);
        boolean works = staging.probe();
        return works ? staging : new ReadOnlyStaging(staging.root, false);
    }

    /** Whether recursive read-only mounts work on this host (mount_setattr, Linux 5.12+ and glibc 2.36+). */
    public boolean supported() {
        return supported;
    }

    public Path root() {
        return root;
    }

    /** Stages {@code source} read-only, recursively; returns the directory runc should bind. */
    public Path stage(String containerId, int index, Path source) {
        if (!supported) {
            throw BerthException.invalidArgument("recursive read-only mounts are not supported on this host "
                    + "(mount_setattr is missing)");
        }
        ensureRoot();
        Path target = root.resolve(checkId(containerId)).resolve(Integer.toString(index));
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + target, e);
        }
        try {
            Syscalls.mount(source.toString(), target.toString(), null, Syscalls.MS_BIND | Syscalls.MS_REC, null);
        } catch (SyscallException e) {
            deleteQuietly(target);
            throw BerthException.invalidArgument("cannot bind " + source + " for a recursive read-only mount: "
                    + e.getMessage());
        }
        try {
            Syscalls.mount("none", target.toString(), null, Syscalls.MS_PRIVATE | Syscalls.MS_REC, null);
            Syscalls.makeReadOnlyRecursively(target.toString());
        } catch (SyscallException e) {
            Syscalls.umount(target.toString());
            deleteQuietly(target);
            throw BerthException.internal("cannot make " + source + " read-only recursively: " + e.getMessage(), e);
        }
        return target;
    }

    /** Unmounts and deletes a container's staged mounts; nothing staged is fine. */
    public void release(String containerId) {
        Path dir = root.resolve(checkId(containerId));
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> mounted = MountTable.current().under(dir).stream().map(MountTable.Entry::mountPoint)
                .filter(point -> point.getParent() != null && point.getParent().equals(dir))
                .toList();
        // A lazy detach takes each staged tree with all its submounts.
        mounted.forEach(point -> Syscalls.umount(point.toString()));
        if (!MountTable.current().under(dir).isEmpty()) {
            throw BerthException.internal("staged mounts of container " + containerId + " are still mounted", null);
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path path : tree.sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** The containers that have staged mounts (to release those no record owns at recovery). */
    public Set<String> stagedContainers() {
        Set<String> ids = new HashSet<>();
        if (!Files.isDirectory(root)) {
            return ids;
        }
        try (Stream<Path> children = Files.list(root)) {
            children.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(name -> SAFE_ID.matcher(name).matches()).forEach(ids::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return ids;
    }

    private boolean probe() {
        Path source = root.resolve(".probe-source");
        Path target = root.resolve(".probe-target");
        try {
            // Only the directory: the root's private self bind mount, which stays for the node's lifetime, is made
            // on first use, so a daemon that never stages anything leaves no mount behind. The probe's own bind is
            // undone at once.
            Files.createDirectories(root);
            Files.createDirectories(source);
            Files.createDirectories(target);
            Syscalls.mount(source.toString(), target.toString(), null, Syscalls.MS_BIND, null);
            try {
                Syscalls.makeReadOnlyRecursively(target.toString());
                return true;
            } finally {
                Syscalls.umount(target.toString());
            }
        } catch (RuntimeException | IOException e) {
            LOG.warn("event=recursive_read_only_unsupported error=\"{}\"", e.getMessage());
            return false;
        } finally {
            deleteQuietly(target);
            deleteQuietly(source);
        }
    }

    private void ensureRoot() {
        synchronized (rootLock) {
            if (rootReady) {
                return;
            }
            try {
                Files.createDirectories(root);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + root, e);
            }
            try {
                if (!MountTable.current().isMountPoint(root)) {
                    Syscalls.mount(root.toString(), root.toString(), null, Syscalls.MS_BIND | Syscalls.MS_REC, null);
                }
                Syscalls.mount("none", root.toString(), null, Syscalls.MS_PRIVATE | Syscalls.MS_REC, null);
            } catch (SyscallException e) {
                throw BerthException.internal("cannot prepare the mount staging root " + root + ": "
                        + e.getMessage(), e);
            }
            rootReady = true;
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warn("event=staging_dir_delete_failed dir={} error=\"{}\"", dir, e.getMessage());
        }
    }

    private static String checkId(String containerId) {
        if (containerId == null || !SAFE_ID.matcher(containerId).matches()) {
            throw BerthException.invalidArgument("invalid container id " + containerId);
        }
        return containerId;
    }
}
