package dev.berth.image.store;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.MountTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Idmapped views of layer directories for a container in a pod's user namespace: each view is a detached clone of
 * the layer's mount ({@code open_tree}), given the namespace's mapping ({@code mount_setattr MOUNT_ATTR_IDMAP}) and
 * attached at a staging directory ({@code move_mount}). Nothing is copied or chowned: root-owned layer files show as
 * the pod's root through the view, and the container's overlay takes the views as its lower dirs.
 */
final class IdmappedViews {

    private static final int EINVAL = 22;
    private static final int ENOENT = 2;

    private IdmappedViews() {
    }

    /** Mounts an idmapped view of {@code source} at {@code target} (an existing empty directory). */
    static void mount(Path source, Path target, int usernsFd) {
        IdmapCalls.LibC libc = IdmapCalls.libc();
        int tree = libc.open_tree(IdmapCalls.AT_FDCWD, source.toString(),
                IdmapCalls.OPEN_TREE_CLONE | IdmapCalls.OPEN_TREE_CLOEXEC);
        if (tree < 0) {
            throw failure("open_tree " + source, IdmapCalls.errno());
        }
        try {
            long[] attr = {IdmapCalls.MOUNT_ATTR_IDMAP, 0, 0, usernsFd};
            if (IdmapCalls.mounts().mount_setattr(tree, "", IdmapCalls.AT_EMPTY_PATH, attr, attr.length * Long.BYTES) != 0) {
                throw failure("mount_setattr idmap " + source, IdmapCalls.errno());
            }
            if (libc.move_mount(tree, "", IdmapCalls.AT_FDCWD, target.toString(),
                    IdmapCalls.MOVE_MOUNT_F_EMPTY_PATH) != 0) {
                throw failure("move_mount " + source + " to " + target, IdmapCalls.errno());
            }
        } finally {
            IdmapCalls.descriptors().close(tree);
        }
    }

    /** Opens a pinned user namespace file for {@link #mount}; the caller closes it. */
    static int openUserns(Path userns) {
        int fd = IdmapCalls.descriptors().open(userns.toString(), IdmapCalls.O_RDONLY_CLOEXEC, 0);
        if (fd < 0) {
            throw failure("open user namespace " + userns, IdmapCalls.errno());
        }
        return fd;
    }

    static void close(int fd) {
        IdmapCalls.descriptors().close(fd);
    }

    /**
     * Detaches every view under {@code dir} and removes its directories. A view left mounted would let a recursive
     * delete of the container's directory reach into the shared layer, so this fails rather than leave one.
     */
    static void unmountAll(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<String> failures = new ArrayList<>();
        try (DirectoryStream<Path> views = Files.newDirectoryStream(dir)) {
            for (Path view : views) {
                // Detach until nothing is mounted there (a retried create may have stacked two views).
                for (int i = 0; i < 4; i++) {
                    if (IdmapCalls.mounts().umount2(view.toString(), IdmapCalls.MNT_DETACH) != 0) {
                        int errno = IdmapCalls.errno();
                        if (errno != EINVAL && errno != ENOENT) {
                            failures.add(view + ": errno " + errno);
                        }
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list idmapped layer views in " + dir, e);
        }
        MountTable mounts = MountTable.current();
        try (DirectoryStream<Path> views = Files.newDirectoryStream(dir)) {
            for (Path view : views) {
                if (mounts.isMountPoint(view)) {
                    failures.add(view + " is still mounted");
                } else {
                    Files.deleteIfExists(view);
                }
            }
            if (failures.isEmpty()) {
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove idmapped layer views in " + dir, e);
        }
        if (!failures.isEmpty()) {
            throw BerthException.internal("cannot unmount idmapped layer views: " + failures, null);
        }
    }

    /**
     * Whether this kernel and filesystem give an idmapped view of a directory under {@code scratch} for the user
     * namespace: the view is made, checked to show root's files as the namespace's root, and removed.
     */
    static boolean works(Path userns, Path scratch, long expectedRootUid) {
        Path dir = scratch.resolve("idmap-probe");
        Path source = dir.resolve("source");
        Path view = dir.resolve("views").resolve("0");
        int fd = -1;
        try {
            Files.createDirectories(source);
            Files.createDirectories(view);
            fd = openUserns(userns);
            mount(source, view, fd);
            Object uid = Files.getAttribute(view, "unix:uid");
            return uid instanceof Integer && ((Integer) uid).longValue() == expectedRootUid;
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            if (fd >= 0) {
                close(fd);
            }
            try {
                unmountAll(dir.resolve("views"));
                Files.deleteIfExists(source);
                Files.deleteIfExists(dir);
            } catch (IOException | RuntimeException e) {
                // best effort: the probe's scratch directory under berth's own tree
            }
        }
    }

    private static BerthException failure(String what, int errno) {
        return BerthException.internal("cannot make idmapped layer view: " + what + " failed with errno " + errno,
                null);
    }
}
