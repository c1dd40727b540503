package dev.berth.image.layer;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.Trees;
import dev.berth.testing.image.Compression;
import dev.berth.testing.image.LayerBuilder;
import dev.berth.testing.image.LayerEntry;
import dev.berth.testing.image.MaliciousLayers;
import dev.berth.testing.image.SparseFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("host")
class TarUnpackerTest {

    private static final String LAYER = "sha256:" + "1f".repeat(32);

    private final NativeFs fs = NativeFs.load();
    private final TarUnpacker unpacker = new TarUnpacker(fs);
    private Path work;
    private Path root;

    @BeforeEach
    void setUp() throws IOException {
        work = Files.createTempDirectory("berth-unpack-");
        root = work.resolve("layer").resolve("diff");
        Files.createDirectories(root);
    }

    @AfterEach
    void tearDown() {
        Trees.deleteRecursively(work);
    }

    private UnpackResult unpack(LayerBuilder layer) throws IOException {
        return unpacker.unpack(new ByteArrayInputStream(layer.tar()), root, LAYER);
    }

    @Test
    void keepsModesOwnersTimesAndLinks() throws IOException {
        Instant mtime = Instant.parse("2021-03-04T05:06:07Z");
        unpack(LayerBuilder.create()
                .directory("bin", 0755)
                .add(LayerEntry.file("bin/tool", "#!/bin/sh\n", 04755).withOwner(0, 0).withMtime(mtime))
                .add(LayerEntry.file("bin/sgid", "x", 02711).withOwner(7, 8))
                .directory("tmp", 01777)
                .directory("home/u", 0700, 1002, 1003)
                .file("home/u/secret", "s", 0600, 1002, 1003)
                .symlink("bin/sh", "tool")
                .symlink("abs", "/etc/passwd")
                .hardlink("bin/tool2", "bin/tool")
                .add(LayerEntry.charDevice("dev/null", 1, 3, 0666))
                .add(LayerEntry.blockDevice("dev/loop0", 7, 0, 0660))
                .add(LayerEntry.fifo("run/fifo", 0620).withOwner(5, 6)));

        NativeFs.Stat tool = fs.lstat(root.resolve("bin/tool"));
        assertEquals(04755, tool.mode() & 07777);
        assertEquals(mtime.getEpochSecond(), tool.mtimeSeconds());
        NativeFs.Stat sgid = fs.lstat(root.resolve("bin/sgid"));
        assertEquals(02711, sgid.mode() & 07777);
        assertEquals(7, sgid.uid());
        assertEquals(8, sgid.gid());
        assertEquals(01777, fs.lstat(root.resolve("tmp")).mode() & 07777);
        NativeFs.Stat home = fs.lstat(root.resolve("home/u"));
        assertEquals(0700, home.mode() & 07777);
        assertEquals(1002, home.uid());
        assertEquals(1003, home.gid());
        assertEquals(LayerEntry.DEFAULT_MTIME.getEpochSecond(), home.mtimeSeconds(), "dir mtime set after content");
        assertEquals("tool", Files.readSymbolicLink(root.resolve("bin/sh")).toString());
        assertEquals("/etc/passwd", Files.readSymbolicLink(root.resolve("abs")).toString());
        assertEquals(tool.ino(), fs.lstat(root.resolve("bin/tool2")).ino());
        assertEquals(2, fs.lstat(root.resolve("bin/tool")).nlink());
        NativeFs.Stat nullDev = fs.lstat(root.resolve("dev/null"));
        assertEquals(NativeFs.S_IFCHR, nullDev.type());
        assertEquals(1, nullDev.rdevMajor());
        assertEquals(3, nullDev.rdevMinor());
        assertEquals(0666, nullDev.mode() & 07777);
        NativeFs.Stat loop = fs.lstat(root.resolve("dev/loop0"));
        assertEquals(NativeFs.S_IFBLK, loop.type());
        assertEquals(7, loop.rdevMajor());
        NativeFs.Stat fifo = fs.lstat(root.resolve("run/fifo"));
        assertEquals(NativeFs.S_IFIFO, fifo.type());
        assertEquals(0620, fifo.mode() & 07777);
        assertEquals(5, fifo.uid());
        // parents created implicitly are plain root-owned 0755 directories
        assertEquals(0755, fs.lstat(root.resolve("run")).mode() & 07777);
    }

    @Test
    void keepsXattrsIncludingBinaryCapabilities() throws IOException {
        // security.capability is binary: a PAX value that is not UTF-8 must still reach the disk byte for byte.
        byte[] capability = {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff};
        byte[] tar = tarWithPax("bin/ping", "SCHILY.xattr.security.capability", capability);
        unpacker.unpack(new ByteArrayInputStream(tar), root, LAYER);
        assertArrayEquals(capability, fs.lgetxattr(root.resolve("bin/ping"), "security.capability").orElseThrow());

        Path other = work.resolve("other");
        Files.createDirectories(other);
        unpacker.unpack(new ByteArrayInputStream(LayerBuilder.create()
                .add(LayerEntry.file("f", "x", 0644).withXattr("user.berth", "yes").withXattr("trusted.note", "t"))
                .tar()), other, LAYER);
        assertEquals("yes", new String(fs.lgetxattr(other.resolve("f"), "user.berth").orElseThrow(),
                StandardCharsets.UTF_8));
        assertEquals("t", new String(fs.lgetxattr(other.resolve("f"), "trusted.note").orElseThrow(),
                StandardCharsets.UTF_8));
    }

    @Test
    void refusesOverlayXattrsFromTheLayer() throws IOException {
        unpack(LayerBuilder.create().add(LayerEntry.directory("d", 0755)
                .withXattr("trusted.overlay.redirect", "/etc")));
        assertTrue(fs.lgetxattr(root.resolve("d"), "trusted.overlay.redirect").isEmpty());
    }

    @Test
    void convertsWhiteoutsToOverlayForm() throws IOException {
        UnpackResult result = unpack(LayerBuilder.create()
                .directory("etc", 0755)
                .whiteout("etc/removed.conf")
                .whiteout("gone-dir")
                .directory("opaque", 0750, 3, 4)
                .opaque("opaque")
                .file("opaque/new", "n", 0644)
                .add(LayerEntry.file("deep/.wh..wh..opq", new byte[0], 0644))
                .add(LayerEntry.file("etc/.wh..wh.plnk", new byte[0], 0644)));

        for (String whiteout : List.of("etc/removed.conf", "gone-dir")) {
            NativeFs.Stat st = fs.lstat(root.resolve(whiteout));
            assertEquals(NativeFs.S_IFCHR, st.type(), whiteout);
            assertEquals(0, st.rdevMajor());
            assertEquals(0, st.rdevMinor());
        }
        assertFalse(Files.exists(root.resolve("etc/.wh.removed.conf"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(root.resolve("etc/.wh..wh.plnk"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("y", new String(fs.lgetxattr(root.resolve("opaque"), TarUnpacker.OPAQUE_XATTR).orElseThrow(),
                StandardCharsets.US_ASCII));
        assertEquals("y", new String(fs.lgetxattr(root.resolve("deep"), TarUnpacker.OPAQUE_XATTR).orElseThrow(),
                StandardCharsets.US_ASCII));
        assertFalse(Files.exists(root.resolve("opaque/.wh..wh..opq"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("n", Files.readString(root.resolve("opaque/new")));
        assertEquals(3, fs.lstat(root.resolve("opaque")).uid());
        assertEquals(4, result.whiteouts());
    }

    @Test
    void aFileOfTheSameLayerWinsOverItsWhiteout() throws IOException {
        unpack(LayerBuilder.create().whiteout("a").file("a", "kept", 0644).file("b", "kept", 0644).whiteout("b"));
        assertEquals("kept", Files.readString(root.resolve("a")));
        assertEquals("kept", Files.readString(root.resolve("b")));
    }

    @Test
    void aDirectoryDeletedAndRefilledInOneLayerBecomesOpaque() throws IOException {
        unpack(LayerBuilder.create().whiteout("a").file("a/new", "n", 0644).whiteout("b").directory("b", 0700));
        for (String dir : List.of("a", "b")) {
            assertTrue(fs.lstat(root.resolve(dir)).isDirectory(), dir);
            assertEquals("y", new String(fs.lgetxattr(root.resolve(dir), TarUnpacker.OPAQUE_XATTR).orElseThrow(),
                    StandardCharsets.US_ASCII), dir);
        }
        assertEquals("n", Files.readString(root.resolve("a/new")));
        assertEquals(0700, fs.lstat(root.resolve("b")).mode() & 07777);
    }

    @Test
    void laterEntriesReplaceEarlierOnes() throws IOException {
        unpack(LayerBuilder.create()
                .file("x", "first", 0644)
                .file("x", "second", 0600)
                .directory("d", 0755)
                .file("d/inner", "i", 0644)
                .file("d", "now a file", 0644)
                .symlink("s", "x")
                .file("s", "replaces the link, not its target", 0644)
                .directory("keep", 0700)
                .directory("keep", 0755));
        assertEquals("second", Files.readString(root.resolve("x")));
        assertEquals(0600, fs.lstat(root.resolve("x")).mode() & 07777);
        assertEquals("now a file", Files.readString(root.resolve("d")));
        assertFalse(Files.isSymbolicLink(root.resolve("s")));
        assertEquals("second", Files.readString(root.resolve("x")));
        assertEquals(0755, fs.lstat(root.resolve("keep")).mode() & 07777);
    }

    @Test
    void readsGzipZstdAndPlainStreams() throws IOException {
        LayerBuilder layer = LayerBuilder.create().file("hello", "world", 0644);
        for (Compression compression : Compression.values()) {
            Path dir = work.resolve(compression.name());
            Files.createDirectories(dir);
            unpacker.unpack(Decompression.open(new ByteArrayInputStream(layer.build(compression).blob())), dir, LAYER);
            assertEquals("world", Files.readString(dir.resolve("hello")), compression.name());
        }
    }

    @Test
    void refusesDotDotNames() {
        assertRefused(MaliciousLayers::dotDotEscape, "leaves the layer directory");
        assertFalse(Files.exists(work.resolve("layer/escape")));
        assertFalse(Files.exists(work.resolve("escape-nested")));
    }

    @Test
    void unpacksAbsoluteNamesInsideTheLayer() throws IOException {
        unpacker.unpack(Decompression.open(new ByteArrayInputStream(MaliciousLayers.absolutePath(Compression.GZIP)
                .blob())), root, LAYER);
        assertTrue(Files.isRegularFile(root.resolve("etc/berth-absolute-escape"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(Path.of("/etc/berth-absolute-escape"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void refusesWritesThroughSymlinks() {
        assertRefused(MaliciousLayers::symlinkEscape, "through the symlink");
        assertFalse(Files.exists(Path.of("/etc/berth-symlink-escape")));
        assertRefused(MaliciousLayers::relativeSymlinkEscape, "through the symlink");
        assertFalse(Files.exists(Path.of("/tmp/berth-relative-escape")));
    }

    @Test
    void refusesHardLinksOutOfTheLayer() {
        assertRefused(MaliciousLayers::hardlinkEscape, "hard link target");
        // An absolute target names the layer's own root, where this layer has no etc/passwd.
        assertRefused(MaliciousLayers::absoluteHardlink, "link target");
    }

    @Test
    void refusesHardLinksThroughSymlinksAndToMissingTargets() throws IOException {
        Files.writeString(work.resolve("outside"), "host file");
        assertRefused(c -> LayerBuilder.create().symlink("up", "..").hardlink("hl", "up/outside").build(c),
                "through the symlink");
        assertRefused(c -> LayerBuilder.create().hardlink("hl", "not-there").build(c), "not in the layer");
        assertEquals(1, fs.lstat(work.resolve("outside")).nlink());
    }

    @Test
    void sparseEntriesOfEveryGnuFormatAreWrittenWithHoles() throws IOException {
        long size = 10L << 30;
        for (SparseFormat format : SparseFormat.values()) {
            Path dir = work.resolve(format.name());
            Files.createDirectories(dir);
            unpacker.unpack(new ByteArrayInputStream(MaliciousLayers.sparseFile(format, size, Compression.NONE)
                    .blob()), dir, LAYER);
            Path big = dir.resolve("sparse/big");
            NativeFs.Stat st = fs.lstat(big);
            assertEquals(size, st.size(), format.toString());
            assertTrue(st.blocks() < 64, format + ": " + st.blocks() + " blocks");
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "r")) {
                byte[] middle = new byte[6];
                f.seek(size / 2);
                f.readFully(middle);
                assertEquals("middle", new String(middle, StandardCharsets.US_ASCII), format.toString());
                f.seek(size - 4);
                assertEquals('e', f.read());
            }
        }
    }

    @Test
    void sparseMapsLongerThanTheHeaderAreRead() throws IOException {
        long size = 1L << 30;
        int extra = 40; // old GNU: 4 segments in the header, 21 per extension block; PAX 1.0: a map of 2 blocks
        for (SparseFormat format : SparseFormat.values()) {
            Path dir = work.resolve("long-" + format.name());
            Files.createDirectories(dir);
            unpacker.unpack(new ByteArrayInputStream(MaliciousLayers.sparseFile(format, size, extra,
                    Compression.NONE).blob()), dir, LAYER);
            Path big = dir.resolve("sparse/big");
            assertEquals(size, Files.size(big), format.toString());
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "r")) {
                for (int i = 1; i <= extra; i++) {
                    long at = i * (size / (extra + 1)) + 8192;
                    f.seek(at - 1);
                    assertEquals(0, f.read(), format + " before region " + i);
                    assertEquals('x', f.read(), format + " region " + i);
                }
            }
            assertTrue(fs.lstat(big).blocks() * 512 < (extra + 8) * 8192L, format + ": too many blocks");
        }
    }

    @Test
    void zeroBlocksOfPlainFilesAreHolesAndTheBytesStayTheSame() throws IOException {
        byte[] content = new byte[3 * 1024 * 1024 + 100];
        content[0] = 'a';
        content[2 * 1024 * 1024 + 5] = 'b'; // one non-zero block in the middle
        unpack(LayerBuilder.create().file("z", content, 0644).file("trailing", new byte[100_000], 0600));
        NativeFs.Stat st = fs.lstat(root.resolve("z"));
        assertEquals(content.length, st.size());
        assertTrue(st.blocks() * 512 <= 3 * SparseFileWriter.BLOCK, st.blocks() + " blocks");
        assertArrayEquals(content, Files.readAllBytes(root.resolve("z")));
        assertEquals(100_000, Files.size(root.resolve("trailing")));
        assertEquals(0600, fs.lstat(root.resolve("trailing")).mode() & 07777);
    }

    @Test
    void sparseMapsThatOverlapOrLieAreRefusedAsCorrupt() {
        for (String map : List.of("0,6,3,0", "0,7", "5,6", "-1,6", "0,3,9223372036854775807,3")) {
            byte[] tar;
            try {
                tar = tarWithPax("f", "GNU.sparse.map", map.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            Path dir = work.resolve("map-" + System.nanoTime());
            assertThrows(TarFormatException.class, () -> {
                Files.createDirectories(dir);
                unpacker.unpack(new ByteArrayInputStream(tar), dir, LAYER);
            }, map);
        }
    }

    private void assertRefused(Function<Compression, dev.berth.testing.image.Layer> layer, String why) {
        Path dir = work.resolve("refused-" + System.nanoTime());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        BerthException e = assertThrows(BerthException.class, () -> unpacker.unpack(
                Decompression.open(new ByteArrayInputStream(layer.apply(Compression.GZIP).blob())), dir, LAYER));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains(LAYER), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    /** A one-file tar whose PAX header carries a binary value, written by hand (tools write them as text). */
    private static byte[] tarWithPax(String name, String key, byte[] value) throws IOException {
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        byte[] keyBytes = (" " + key + "=").getBytes(StandardCharsets.UTF_8);
        int length = keyBytes.length + value.length + 1;
        int total = length + String.valueOf(length).length();
        if (String.valueOf(total).length() != String.valueOf(length).length()) {
            total++;
        }
        record.write(String.valueOf(total).getBytes(StandardCharsets.US_ASCII));
        record.write(keyBytes);
        record.write(value);
        record.write('\n');
        byte[] pax = record.toByteArray();
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tar.write(header("PaxHeaders/" + name, 'x', pax.length, 0644));
        tar.write(pad(pax));
        byte[] content = "binary".getBytes(StandardCharsets.US_ASCII);
        tar.write(header(name, '0', content.length, 0755));
        tar.write(pad(content));
        tar.write(new byte[1024]);
        return tar.toByteArray();
    }

    private static byte[] header(String name, char type, long size, int mode) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, String.format("%07o", mode));
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 1_600_000_000L));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static void put(byte[] h, int offset, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, h, offset, bytes.length);
    }

    private static byte[] pad(byte[] data) {
        int padded = (data.length + 511) / 512 * 512;
        return java.util.Arrays.copyOf(data, padded);
    }
}
