package dev.berth.image.layer;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/** Measures a tree's allocated bytes and inodes, counting each inode once (hard links) and never following links. */
public final class DiskUsage {

    /** Bytes in allocated 512-byte blocks, and inodes. */
    public record Usage(long bytes, long inodes) {
    }

    private final NativeFs fs;

    public DiskUsage(NativeFs fs) {
        this.fs = fs;
    }

    public Usage measure(Path root) throws IOException {
        Set<Long> seen = new HashSet<>();
        long[] bytes = {0};
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return new Usage(0, 0);
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                count(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                count(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // the container deleted it meanwhile
                }
                throw exc;
            }

            private void count(Path path) throws IOException {
                fs.lstatIfExists(path).ifPresent(st -> {
                    if (seen.add(st.ino())) {
                        bytes[0] += st.blocks() * 512;
                    }
                });
            }
        });
        return new Usage(bytes[0], seen.size());
    }
}
