package dev.berth.runtime.store;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.MountTable;
import dev.berth.common.fs.Trash;
import dev.berth.common.fs.Trees;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** Deletes berth's own directories, refusing any that still has a mount inside (deleting would empty the mount). */
public final class SafeTrees {

    private SafeTrees() {
    }

    public static void delete(Path dir) {
        refuseMounted(dir);
        try {
            Trees.deleteRecursively(dir);
        } catch (UncheckedIOException e) {
            throw BerthException.internal("cannot delete " + dir + ": " + e.getCause().getMessage(), e);
        }
    }

    /** Moves the directory into the trash, which deletes it in the background. */
    public static void discard(Path dir, Trash trash) {
        refuseMounted(dir);
        try {
            trash.discard(dir);
        } catch (UncheckedIOException e) {
            throw BerthException.internal("cannot delete " + dir + ": " + e.getCause().getMessage(), e);
        }
    }

    private static void refuseMounted(Path dir) {
        List<MountTable.Entry> mounts = MountTable.current().under(dir);
        if (!mounts.isEmpty()) {
            throw BerthException.internal("refusing to delete " + dir + ": still mounted inside: "
                    + mounts.stream().map(MountTable.Entry::mountPoint).toList(), null);
        }
    }
}
