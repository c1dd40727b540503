package dev.berth.common.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.exec.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrashTest {

    @TempDir
    Path dir;

    @Test
    void aDiscardedTreeLeavesItsPlaceAtOnceAndIsDeletedWithoutFollowingLinks() throws IOException {
        Path outside = Files.writeString(dir.resolve("outside"), "keep me");
        Path tree = dir.resolve("bundle");
        Files.createDirectories(tree.resolve("a/b"));
        Files.writeString(tree.resolve("a/b/file"), "x");
        Files.createSymbolicLink(tree.resolve("a/link"), outside);
        Files.createSymbolicLink(tree.resolve("dirlink"), dir);
        Path trashDir = dir.resolve("trash");

        try (Trash trash = Trash.open(trashDir, "test-trash")) {
            trash.discard(tree);
            assertFalse(Files.exists(tree, LinkOption.NOFOLLOW_LINKS));
            trash.discard(dir.resolve("never-there"));
        }
        // close() waited for the deletion.
        assertEquals(List.of(), entries(trashDir));
        assertEquals("keep me", Files.readString(outside));
    }

    @Test
    void whatAnEarlierRunLeftInTheTrashIsDeletedWhenItOpens() throws IOException {
        Path trashDir = dir.resolve("trash");
        Files.createDirectories(trashDir.resolve("old-1/diff/etc"));
        Files.writeString(trashDir.resolve("old-1/diff/etc/passwd"), "root:x:0:0");
        Files.writeString(trashDir.resolve("old-2"), "half a rename");

        Trash.open(trashDir, "test-trash").close();

        assertEquals(List.of(), entries(trashDir));
    }

    @Test
    @Tag("host")
    void aTreeWithAMountInsideStaysInTheTrashWithTheMountUntouched() throws IOException {
        Path tree = dir.resolve("bundle");
        Path mountPoint = tree.resolve("shm");
        Files.createDirectories(mountPoint);
        Command.of("mount", "-t", "tmpfs", "tmpfs", mountPoint.toString()).check();
        Path trashDir = dir.resolve("trash");
        Path moved = null;
        try {
            Files.writeString(mountPoint.resolve("data"), "mounted");
            try (Trash trash = Trash.open(trashDir, "test-trash")) {
                trash.discard(tree);
            }
            List<Path> kept = entries(trashDir);
            assertEquals(1, kept.size(), kept.toString());
            moved = kept.get(0).resolve("shm");
            assertTrue(MountTable.current().isMountPoint(moved));
            assertEquals("mounted", Files.readString(moved.resolve("data")));
        } finally {
            Command.of("umount", (moved != null ? moved : mountPoint).toString()).check();
        }
    }

    @Test
    @Tag("host")
    void aTreeOnAnotherFileSystemIsDeletedInPlace() throws IOException {
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Command.of("mount", "-t", "tmpfs", "tmpfs", other.toString()).check();
        try {
            Path tree = other.resolve("rootfs");
            Files.createDirectories(tree.resolve("diff"));
            Files.writeString(tree.resolve("diff/file"), "x");
            try (Trash trash = Trash.open(dir.resolve("trash"), "test-trash")) {
                trash.discard(tree);
                assertFalse(Files.exists(tree, LinkOption.NOFOLLOW_LINKS));
            }
            assertEquals(List.of(), entries(dir.resolve("trash")));
        } finally {
            Command.of("umount", other.toString()).check();
        }
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        }
    }
}
