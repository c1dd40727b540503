package dev.berth.common.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Crash-safe file writes: a reader sees the old content or the new one, never a torn file. */
public final class AtomicFiles {

    private static final int WRITE_SLICE = 64 * 1024;

    private AtomicFiles() {
    }

    /**
     * Writes to a temporary sibling, fsyncs it, renames it over the target and fsyncs the directory: the new content
     * survives an OS crash. For what must outlive a reboot (images, layers).
     */
    public static void write(Path target, byte[] content) {
        write(target, content, true);
    }

    /**
     * Writes to a temporary sibling and renames it over the target, without fsync: atomic against a crash of the
     * writer, not of the OS. For state that describes this boot's processes, namespaces and addresses (a reboot ends
     * them anyway, and readers treat a missing or garbled file as gone), where two fsyncs per write would be most of
     * the cost of a pod start.
     */
    public static void replace(Path target, byte[] content) {
        write(target, content, false);
    }

    private static void write(Path target, byte[] content, boolean durable) {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().getId());
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                // In slices: the JDK copies a heap buffer into a temporary direct buffer of the same size and keeps
                // it cached on the writing thread, so one 40 MB record left 40 MB of direct memory on every request
                // thread that ever wrote one, until the JVM ran out of direct memory.
                for (int from = 0; from < content.length; from += WRITE_SLICE) {
                    ByteBuffer slice = ByteBuffer.wrap(content, from, Math.min(WRITE_SLICE, content.length - from));
                    while (slice.hasRemaining()) {
                        channel.write(slice);
                    }
                }
                if (durable) {
                    channel.force(true);
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            if (durable) {
                syncDirectory(dir);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort: the temp name is unique to this writer and swept by its owner's recovery
            }
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
