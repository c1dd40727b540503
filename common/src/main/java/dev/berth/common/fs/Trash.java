package dev.berth.common.fs;

import dev.berth.common.exec.DaemonThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory that trees are renamed into and then deleted from on a background thread, so that a removal returns
 * after one rename instead of after every file of the tree. The tree is gone from its place at once; what a crash
 * leaves in the trash is deleted when the trash is next opened. A tree is never deleted while anything is mounted
 * inside it (the delete would empty the mount): it stays in the trash and is reported.
 */
public final class Trash implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Trash.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final Path dir;
    private final ExecutorService deleter;
    /** Names of this instance's entries start with it, so they never meet a previous run's leftovers. */
    private final String prefix;
    private final AtomicLong sequence = new AtomicLong();

    private Trash(Path dir, String threadName) {
        this.dir = dir;
        this.deleter = Executors.newSingleThreadExecutor(DaemonThreads.numbered(threadName));
        this.prefix = Long.toString(System.currentTimeMillis(), 36) + "-";
    }

    /**
     * Opens the trash at {@code dir} (created if missing; it must be on the file system of the trees it takes) and
     * starts deleting whatever an earlier run left in it.
     */
    public static Trash open(Path dir, String threadName) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        Trash trash = new Trash(dir, threadName);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir)) {
            for (Path leftover : leftovers) {
                trash.deleteLater(leftover);
            }
        } catch (IOException e) {
            trash.close();
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return trash;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Moves {@code tree} into the trash and has it deleted in the background; a missing tree is fine. A tree that
     * cannot be renamed here (another file system) is deleted in place before this returns.
     */
    public void discard(Path tree) {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path entry = dir.resolve(prefix + sequence.incrementAndGet() + "-" + tree.getFileName());
        try {
            Files.move(tree, entry, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            LOG.debug("event=trash_rename_failed path={} error=\"{}\"", tree, e.toString());
            deleteUnlessMounted(tree);
            return;
        }
        deleteLater(entry);
    }

    private void deleteLater(Path entry) {
        deleter.execute(() -> {
            try {
                deleteUnlessMounted(entry);
            } catch (RuntimeException e) {
                // Left for the next start, which tries again.
                LOG.warn("event=trash_delete_failed path={} error=\"{}\"", entry, e.getMessage());
            }
        });
    }

    private static void deleteUnlessMounted(Path tree) {
        List<MountTable.Entry> mounts = MountTable.current().under(tree);
        if (!mounts.isEmpty()) {
            throw new IllegalStateException("refusing to delete " + tree + ": still mounted inside: "
                    + mounts.stream().map(MountTable.Entry::mountPoint).toList());
        }
        Trees.deleteRecursively(tree);
    }

    /** Waits for the deletions already asked for (bounded), then stops the background thread. */
    @Override
    public void close() {
        deleter.shutdown();
        try {
            if (!deleter.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("event=trash_close_timeout dir={}", dir);
                deleter.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleter.shutdownNow();
        }
    }
}
