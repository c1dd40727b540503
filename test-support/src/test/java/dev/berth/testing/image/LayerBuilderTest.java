package dev.berth.testing.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LayerBuilderTest {

    private static LayerBuilder everyKind() {
        return LayerBuilder.create()
                .directory("etc", 0755)
                .add(LayerEntry.file("etc/app.conf", "key=value\n", 0640).withOwner(1002, 33)
                        .withMtime(Instant.parse("2020-02-02T02:02:02Z")).withXattr("user.origin", "berth"))
                .symlink("etc/link", "app.conf")
                .hardlink("etc/hard", "etc/app.conf")
                .add(LayerEntry.charDevice("dev-null", 1, 3, 0666))
                .add(LayerEntry.blockDevice("dev-loop", 7, 0, 0660))
                .add(LayerEntry.fifo("fifo", 0600))
                .whiteout("etc/old.conf")
                .opaque("var/cache")
                .file("a/very/" + "long/".repeat(30) + "name.txt", "long names go through PAX\n", 0644);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void digestAndDiffIdRecompute(Compression compression) throws Exception {
        Layer layer = everyKind().build(compression);
        byte[] blob = layer.blob();
        assertEquals(Blobs.sha256(blob), layer.digest());
        assertEquals(blob.length, layer.size());
        byte[] tar = Blobs.decompress(compression.mediaType(ManifestFormat.OCI), blob);
        assertEquals(Blobs.sha256(tar), layer.diffId());
        assertEquals(tar.length, layer.tarSize());
        assertEquals(Blobs.sha256(everyKind().tar()), layer.diffId());
        if (compression == Compression.NONE) {
            assertEquals(layer.digest(), layer.diffId());
        } else {
            assertNotEquals(layer.digest(), layer.diffId());
        }
        // Deterministic: the same entries give the same bytes.
        assertEquals(layer.digest(), everyKind().build(compression).digest());
    }

    @Test
    void entriesReadBackWithTypesModesOwnersAndXattrs() throws Exception {
        Map<String, Blobs.Member> members = Blobs.members(everyKind().tar());
        TarArchiveEntry conf = members.get("etc/app.conf").entry();
        assertTrue(conf.isFile());
        assertEquals(0640, conf.getMode());
        assertEquals(1002, conf.getLongUserId());
        assertEquals(33, conf.getLongGroupId());
        assertEquals(Instant.parse("2020-02-02T02:02:02Z"), conf.getLastModifiedTime().toInstant());
        assertEquals("berth", conf.getExtraPaxHeader("SCHILY.xattr.user.origin"));
        assertEquals("key=value\n", new String(members.get("etc/app.conf").content()));

        assertTrue(members.get("etc/").entry().isDirectory());
        assertEquals("app.conf", members.get("etc/link").entry().getLinkName());
        assertTrue(members.get("etc/link").entry().isSymbolicLink());
        assertTrue(members.get("etc/hard").entry().isLink());
        assertEquals("etc/app.conf", members.get("etc/hard").entry().getLinkName());
        TarArchiveEntry dev = members.get("dev-null").entry();
        assertTrue(dev.isCharacterDevice());
        assertEquals(1, dev.getDevMajor());
        assertEquals(3, dev.getDevMinor());
        assertTrue(members.get("dev-loop").entry().isBlockDevice());
        assertTrue(members.get("fifo").entry().isFIFO());
        assertEquals(0, members.get("etc/.wh.old.conf").content().length);
        assertTrue(members.get("var/cache/.wh..wh..opq").entry().isFile());
        assertTrue(members.keySet().stream().anyMatch(n -> n.endsWith("/name.txt") && n.length() > 100));
        assertEquals(LayerEntry.DEFAULT_MTIME, members.get("fifo").entry().getLastModifiedTime().toInstant());
    }

    @Test
    void ordinaryEntriesMustStayInsideTheLayer() {
        assertThrows(IllegalArgumentException.class, () -> LayerBuilder.create().file("../x", "", 0644));
        assertThrows(IllegalArgumentException.class, () -> LayerBuilder.create().file("/etc/x", "", 0644));
        assertThrows(IllegalArgumentException.class, () -> LayerBuilder.create().hardlink("h", "../../outside"));
    }

    @Test
    void maliciousLayersKeepTheirHostileNames() throws Exception {
        assertEquals(List.of("../escape", "a/../../escape-nested"),
                Blobs.names(tarOf(MaliciousLayers.dotDotEscape(Compression.GZIP))));
        assertEquals(List.of("/etc/berth-absolute-escape"),
                Blobs.names(tarOf(MaliciousLayers.absolutePath(Compression.NONE))));
        Map<String, Blobs.Member> viaSymlink = Blobs.members(tarOf(MaliciousLayers.symlinkEscape(Compression.ZSTD)));
        assertEquals("/", viaSymlink.get("link").entry().getLinkName());
        assertEquals(MaliciousLayers.PAYLOAD, new String(viaSymlink.get("link/etc/berth-symlink-escape").content()));
        Map<String, Blobs.Member> hardlink = Blobs.members(tarOf(MaliciousLayers.hardlinkEscape(Compression.GZIP)));
        assertEquals("../../outside", hardlink.get("hl").entry().getLinkName());
        assertEquals("/etc/passwd", Blobs.members(tarOf(MaliciousLayers.absoluteHardlink(Compression.GZIP)))
                .get("hl-abs").entry().getLinkName());
    }

    @Test
    void randomBytesAreSeededAndIncompressible() throws Exception {
        byte[] first = new RandomBytes(5, 100_000).readAllBytes();
        assertEquals(100_000, first.length);
        assertEquals(Blobs.sha256(first), Blobs.sha256(new RandomBytes(5, 100_000).readAllBytes()));
        assertNotEquals(Blobs.sha256(first), Blobs.sha256(new RandomBytes(6, 100_000).readAllBytes()));
        Layer layer = LayerBuilder.create().file("r", first, 0644).build(Compression.GZIP);
        assertTrue(layer.size() > 100_000);
    }

    private static byte[] tarOf(Layer layer) throws Exception {
        return Blobs.decompress(layer.compression().mediaType(ManifestFormat.OCI), layer.blob());
    }
}
