package dev.berth.image.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each call checked against what the JDK's own stat, or the file itself, says afterwards (runs as root). */
class NativeFsTest {

    private final NativeFs fs = NativeFs.load();

    @TempDir
    Path dir;

    @Test
    void lstatAgreesWithTheJdkOnARegularFile() throws IOException {
        Path file = dir.resolve("data");
        Files.write(file, new byte[10_000]);
        Files.createLink(dir.resolve("data-link"), file);
        NativeFs.Stat stat = fs.lstat(file);
        Map<String, Object> jdk = Files.readAttributes(file, "unix:*", LinkOption.NOFOLLOW_LINKS);
        assertEquals(10_000, stat.size());
        assertEquals(2, stat.nlink());
        assertEquals(jdk.get("mode"), stat.mode());
        assertEquals(jdk.get("ino"), stat.ino());
        assertEquals(jdk.get("dev"), stat.dev());
        assertEquals(Integer.toUnsignedLong((int) jdk.get("uid")), stat.uid());
        assertEquals(((FileTime) jdk.get("lastModifiedTime")).toInstant().getEpochSecond(), stat.mtimeSeconds());
        assertTrue(stat.blocks() * 512 >= 10_000, "blocks " + stat.blocks());
        assertEquals(NativeFs.S_IFREG, stat.type());
    }

    @Test
    void lstatDoesNotFollowALinkAndMissingPathsAreEmpty() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("/nonexistent/target"));
        assertTrue(fs.lstat(link).isSymlink());
        assertEquals("/nonexistent/target".length(), fs.lstat(link).size());
        assertEquals(Optional.empty(), fs.lstatIfExists(dir.resolve("absent")));
        assertEquals(Optional.empty(), fs.lstatIfExists(dir.resolve("absent/below")));
        assertThrows(NoSuchFileException.class, () -> fs.lstat(dir.resolve("absent")));
    }

    @Test
    void deviceNodesKeepTheirNumbers() throws IOException {
        Path device = dir.resolve("dev");
        fs.mknod(device, NativeFs.S_IFCHR, 0644, 259, 70_000);
        NativeFs.Stat stat = fs.lstat(device);
        assertEquals(NativeFs.S_IFCHR, stat.type());
        assertEquals(0644, stat.mode() & 07777);
        assertEquals(259, stat.rdevMajor());
        assertEquals(70_000, stat.rdevMinor());
        Map<String, Object> jdk = Files.readAttributes(device, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        assertEquals(NativeFs.makedev(259, 70_000), jdk.get("rdev"));
        Path fifo = dir.resolve("fifo");
        fs.mknod(fifo, NativeFs.S_IFIFO, 0600, 0, 0);
        assertEquals(NativeFs.S_IFIFO, fs.lstat(fifo).type());
    }

    @Test
    void ownerModeAndTimesAreSetWithoutFollowingLinks() throws IOException {
        Path target = Files.writeString(dir.resolve("target"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        fs.lchown(link, 4_000_000_000L, 12345);
        fs.setTimes(link, 1_000_000_000L, 5);
        Map<String, Object> linkAttrs = Files.readAttributes(link, "unix:uid,gid,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        assertEquals(4_000_000_000L, Integer.toUnsignedLong((int) linkAttrs.get("uid")));
        assertEquals(12345, linkAttrs.get("gid"));
        assertEquals(1_000_000_000L, ((FileTime) linkAttrs.get("lastModifiedTime")).toInstant().getEpochSecond());
        assertEquals(5, ((FileTime) linkAttrs.get("lastModifiedTime")).toInstant().getNano());
        Map<String, Object> targetAttrs = Files.readAttributes(target, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        assertEquals(0, targetAttrs.get("uid"));
        fs.chmod(target, 04751);
        assertEquals(04751, (int) Files.getAttribute(target, "unix:mode") & 07777);
        assertEquals(4_000_000_000L, fs.lstat(link).uid());
        assertEquals(12345, fs.lstat(link).gid());
    }

    @Test
    void extendedAttributesRoundTripAndAbsentOnesAreEmpty() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");
        byte[] value = "y".getBytes(StandardCharsets.UTF_8);
        fs.lsetxattr(file, "trusted.overlay.opaque", value);
        assertArrayEquals(value, fs.lgetxattr(file, "trusted.overlay.opaque").orElseThrow());
        assertFalse(fs.lgetxattr(file, "trusted.overlay.other").isPresent());
        IOException e = assertThrows(IOException.class, () -> fs.chmod(dir.resolve("absent"), 0644));
        assertTrue(e instanceof NoSuchFileException, e.toString());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        fs.syncfs(dir);
    }
}
