package dev.berth.image.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.common.error.BerthException;
import dev.berth.image.ImageStore;
import dev.berth.image.LayerLimits;
import dev.berth.image.RegistryConfig;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.layer.NativeFs;
import dev.berth.image.support.RegistryProxy;
import dev.berth.image.support.StoreFixture;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.Compression;
import dev.berth.testing.image.IndexBuilder;
import dev.berth.testing.image.Layer;
import dev.berth.testing.image.MaliciousLayers;
import dev.berth.testing.image.ManifestFormat;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.image.SparseFormat;
import dev.berth.testing.registry.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.berth.image.support.StoreFixture.inMinutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile images pulled through a real registry (and a proxy that lies for it): device nodes, setuid files,
 * sparse files, zeros and decompression bombs, manifests that lie about sizes, endless bodies. Each pull fails
 * cleanly (its error names the content and the limit, nothing half-stored) or stores only what is safe.
 */
@Tag("host")
class HostileImageTest {

    private static final long TEN_GIB = 10L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final NativeFs FS = NativeFs.load();

    private static TestRegistry registry;
    private static RegistryProxy proxy;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        proxy = new RegistryProxy(registry.baseUri());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        registry.close();
    }

    @AfterEach
    void resetProxy() {
        proxy.clearFaults();
        proxy.resetCounts();
    }

    private static StoreFixture fixture() {
        return StoreFixture.insecure(registry.address(), proxy.address());
    }

    private static StoreFixture fixture(LayerLimits limits) {
        return new StoreFixture(c -> c.withLayerLimits(limits)
                .withRegistry(registry.address(), RegistryConfig.insecureRegistry())
                .withRegistry(proxy.address(), RegistryConfig.insecureRegistry()));
    }

    private static String viaProxy(PushedImage image) {
        return proxy.address() + "/" + image.repository() + ":" + image.tag();
    }

    private static BerthException failPull(ImageStore store, String reference) {
        return assertThrows(BerthException.class,
                () -> store.pull(reference, RegistryCredentials.anonymous(), inMinutes(2)));
    }

    /** The one path of that name in any layer's diff. */
    private static Path inLayer(StoreFixture fixture, String relative) throws IOException {
        try (Stream<Path> all = Files.walk(fixture.root().resolve("overlay2"))) {
            List<Path> found = all.filter(p -> p.endsWith(Path.of("diff").resolve(relative))).toList();
            assertEquals(1, found.size(), relative + " in one layer: " + found);
            return found.get(0);
        }
    }

    private static void assertMessage(BerthException e, BerthException.Kind kind, String... parts) {
        assertEquals(kind, e.kind(), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "\"" + part + "\" in: " + e.getMessage());
        }
    }

    // ---- what an image may carry, stored as the image says --------------------------------------------------

    @Test
    void deviceNodesAndFifosAreCreatedAsDockerCreatesThem() throws IOException {
        PushedImage image = BusyboxImages.busyboxWith(registry, "hostile/devices", "latest",
                MaliciousLayers.deviceNodes(Compression.GZIP));
        try (StoreFixture fixture = fixture()) {
            fixture.store().pull(image.reference(), RegistryCredentials.anonymous(), inMinutes(2));
            assertNode(FS.lstat(inLayer(fixture, "dev/null")), NativeFs.S_IFCHR, 1, 3, 0666, 0, 0);
            assertNode(FS.lstat(inLayer(fixture, "dev/big-minor")), NativeFs.S_IFCHR, 4095, 1048575, 0600, 5, 6);
            assertNode(FS.lstat(inLayer(fixture, "dev/sda")), NativeFs.S_IFBLK, 8, 0, 0660, 0, 6);
            assertNode(FS.lstat(inLayer(fixture, "dev/fifo")), NativeFs.S_IFIFO, 0, 0, 02640, 33, 33);
        }
    }

    private static void assertNode(NativeFs.Stat st, int type, int major, int minor, int mode, long uid, long gid) {
        assertEquals(Integer.toOctalString(type), Integer.toOctalString(st.type()));
        assertEquals(major, st.rdevMajor());
        assertEquals(minor, st.rdevMinor());
        assertEquals(Integer.toOctalString(mode), Integer.toOctalString(st.mode() & 07777));
        assertEquals(uid, st.uid());
        assertEquals(gid, st.gid());
    }

    @Test
    void setuidAndSetgidBitsAreKeptAsInTheImage() throws IOException {
        PushedImage image = BusyboxImages.busyboxWith(registry, "hostile/setuid", "latest",
                MaliciousLayers.setuidFiles(Compression.GZIP));
        try (StoreFixture fixture = fixture()) {
            fixture.store().pull(image.reference(), RegistryCredentials.anonymous(), inMinutes(2));
            assertNode(FS.lstat(inLayer(fixture, "sbin/su-like")), NativeFs.S_IFREG, 0, 0, 04755, 0, 0);
            assertNode(FS.lstat(inLayer(fixture, "sbin/sgid-tool")), NativeFs.S_IFREG, 0, 0, 02711, 0, 42);
            assertNode(FS.lstat(inLayer(fixture, "sbin/both")), NativeFs.S_IFREG, 0, 0, 06750, 1002, 1002);
            assertNode(FS.lstat(inLayer(fixture, "shared")), NativeFs.S_IFDIR, 0, 0, 03775, 0, 50);
        }
    }

    // ---- the disk: holes stay holes, bombs stop at the limit ---------------------------------------------------

    @Test
    void tenGigabyteSparseFilesAreWrittenSparseInEveryGnuFormat() throws IOException {
        try (StoreFixture fixture = fixture()) {
            for (SparseFormat format : SparseFormat.values()) {
                Layer sparse = MaliciousLayers.sparseFile(format, TEN_GIB, Compression.GZIP);
                assertTrue(sparse.size() < 64 * 1024, format + " blob of " + sparse.size() + " bytes");
                PushedImage image = BusyboxImages.busyboxWith(registry, "hostile/sparse-"
                        + format.name().toLowerCase().replace('_', '-'), "latest", sparse);
                fixture.store().pull(image.reference(), RegistryCredentials.anonymous(), inMinutes(2));
                Path big = inLayer(fixture, "sparse/big");
                NativeFs.Stat st = FS.lstat(big);
                assertEquals(TEN_GIB, st.size(), format.toString());
                assertTrue(st.blocks() * 512 < 1 << 20, format + ": " + st.blocks() + " blocks allocated");
                assertEquals("start", read(big, 0, 5));
                assertEquals("middle", read(big, TEN_GIB / 2, 6));
                assertEquals("end!", read(big, TEN_GIB - 4, 4));
                assertEquals("\0\0\0\0", read(big, TEN_GIB / 4, 4));
                fixture.store().remove(image.imageId());
            }
        }
    }

    @Test
    void zeroBlocksOfAPlainFileBecomeHoles() throws IOException {
        long size = 256L << 20;
        PushedImage image = BusyboxImages.busyboxWith(registry, "hostile/zeros", "latest",
                MaliciousLayers.zeros(size, Compression.GZIP));
        try (StoreFixture fixture = fixture()) {
            fixture.store().pull(image.reference(), RegistryCredentials.anonymous(), inMinutes(2));
            Path zeros = inLayer(fixture, "data/zeros.bin");
            NativeFs.Stat st = FS.lstat(zeros);
            assertEquals(size, st.size());
            assertTrue(st.blocks() * 512 < 1 << 20, st.blocks() + " blocks allocated");
            assertEquals("zeros follow\n", read(zeros, 0, 13));
            assertEquals("\0\0\0\0", read(zeros, size - 4, 4));
        }
    }

    @Test
    void decompressionBombsStopAtTheLayerLimitAndLeaveNothing() throws IOException {
        LayerLimits limits = new LayerLimits(64L << 20, LayerLimits.DEFAULT_MIN_FREE_BYTES);
        try (StoreFixture fixture = fixture(limits)) {
            for (Compression compression : List.of(Compression.GZIP, Compression.ZSTD)) {
                // One plain tar entry of 10 GiB of zeros, compressed to a few megabytes.
                Layer bomb = MaliciousLayers.decompressionBomb(TEN_GIB, compression);
                assertTrue(bomb.size() < 16 << 20, compression + " bomb of " + bomb.size() + " bytes");
                PushedImage image = BusyboxImages.busyboxWith(registry, "hostile/bomb-"
                        + compression.name().toLowerCase(), "latest", bomb);
                long started = System.nanoTime();
                BerthException e = failPull(fixture.store(), image.reference());
                assertMessage(e, BerthException.Kind.FAILED_PRECONDITION, bomb.digest(),
                        "max_layer_unpacked_bytes", String.valueOf(64L << 20));
                assertTrue(System.nanoTime() - started < Duration.ofSeconds(30).toNanos(), "stopped early");
                StoreChecks.assertNothingStored(fixture, true);
                StoreChecks.assertDiskUsageBelow(fixture, 1 << 20);
            }
        }
    }

    @Test
    void aPullBelowTheFreeSpaceReserveIsRefusedBeforeAnythingIsWritten() throws IOException {
        PushedImage image = BusyboxImages.busybox(registry, "hostile/reserve", "latest");
        try (StoreFixture fixture = fixture(new LayerLimits(LayerLimits.DEFAULT_MAX_UNPACKED_BYTES,
                Long.MAX_VALUE))) {
            BerthException e = failPull(fixture.store(), viaProxy(image));
            assertMessage(e, BerthException.Kind.RESOURCE_EXHAUSTED, "min_free_bytes", image.repository(),
                    fixture.root().toString());
            assertEquals(0, proxy.count(k -> true), "not one request to the registry");
            StoreChecks.assertNothingStored(fixture, true);
        }
    }

    // ---- manifests that lie ----------------------------------------------------------------------------------

    /** Serves, for the image's tag, its manifest as {@code edit} changes it. */
    private static void lie(PushedImage image, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode manifest = (ObjectNode) JSON.readTree(StoreChecks.manifestBytes(registry, image));
        edit.accept(manifest);
        proxy.replace("/v2/" + image.repository() + "/manifests/" + image.tag(), JSON.writeValueAsBytes(manifest),
                manifest.path("mediaType").asText());
    }

    private static ObjectNode topLayer(ObjectNode manifest) {
        return (ObjectNode) manifest.withArray("layers").get(manifest.withArray("layers").size() - 1);
    }

    @Test
    void layerSizesThatDoNotMatchTheBlobFailNamingTheLayer() throws IOException {
        Layer data = dev.berth.testing.image.LayerBuilder.create().file("data.bin", new byte[200_000], 0644)
                .build(Compression.GZIP);
        PushedImage image = BusyboxImages.busyboxWith(registry, "hostile/sizes", "latest", data);
        try (StoreFixture fixture = fixture()) {
            for (boolean chunked : List.of(false, true)) {
                for (long delta : List.of(-1L, +1L, -data.size() / 2)) {
                    proxy.clearFaults();
                    proxy.chunkedBlobs(chunked);
                    lie(image, m -> topLayer(m).put("size", data.size() + delta));
                    BerthException e = failPull(fixture.store(), viaProxy(image));
                    String what = "chunked=" + chunked + " delta=" + delta + ": " + e.getMessage();
                    assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind(), what);
                    assertTrue(e.getMessage().contains(data.digest()), what);
                    StoreChecks.assertNothingStored(fixture, true);
                }
            }
        }
    }

    @Test
    void hugeDeclaredSizesAreRefusedBeforeAnyDownload() throws IOException {
        PushedImage image = BusyboxImages.busyboxWith(registry, "hostile/huge", "latest",
                MaliciousLayers.setuidFiles(Compression.GZIP));
        String top = image.layerDigests().get(image.layerDigests().size() - 1);
        try (StoreFixture fixture = fixture()) {
            lie(image, m -> topLayer(m).put("size", Long.MAX_VALUE));
            BerthException e = failPull(fixture.store(), viaProxy(image));
            assertMessage(e, BerthException.Kind.FAILED_PRECONDITION, top, "declared as " + Long.MAX_VALUE,
                    "max_layer_unpacked_bytes");
            assertEquals(0, proxy.blobGets(image.repository(), top));
            StoreChecks.assertNothingStored(fixture, true);

            proxy.clearFaults();
            proxy.resetCounts(); // the first pull fetched the config, as it should
            lie(image, m -> ((ObjectNode) m.get("config")).put("size", 1L << 40));
            e = failPull(fixture.store(), viaProxy(image));
            assertMessage(e, BerthException.Kind.FAILED_PRECONDITION, image.configDigest(), "more than the");
            assertEquals(0, proxy.blobGets(image.repository(), image.configDigest()));
            StoreChecks.assertNothingStored(fixture, true);
        }
    }

    @Test
    void anEndlessLayerBodyIsReadOnlyToItsDeclaredSize() throws Exception {
        PushedImage image = BusyboxImages.busyboxWith(registry, "hostile/endless-blob", "latest",
                MaliciousLayers.setuidFiles(Compression.GZIP));
        String top = image.layerDigests().get(image.layerDigests().size() - 1);
        try (StoreFixture fixture = fixture()) {
            RegistryProxy.Endless body = proxy.serveEndless("/v2/" + image.repository() + "/blobs/" + top,
                    "application/octet-stream", (byte) 0x1f);
            BerthException e = failPull(fixture.store(), viaProxy(image));
            assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains(top), e.getMessage());
            // What the socket buffers held beyond the declared size, nothing like an unbounded read.
            long sent = body.bytesSentOnceClosed(Duration.ofSeconds(30));
            assertTrue(sent < 32 << 20, sent + " bytes sent");
            StoreChecks.assertNothingStored(fixture, true);
        }
    }

    @Test
    void anEndlessIndexOrManifestIsRefusedAtTheManifestLimit() throws Exception {
        IndexBuilder.PushedIndex index = BusyboxImages.multiArch(registry, "hostile/endless-index", "latest",
                ManifestFormat.OCI);
        PushedImage amd64 = index.image();
        try (StoreFixture fixture = fixture()) {
            RegistryProxy.Endless top = proxy.serveEndless("/v2/" + amd64.repository() + "/manifests/latest",
                    "application/vnd.oci.image.index.v1+json", (byte) ' ');
            BerthException e = failPull(fixture.store(), viaProxy(amd64));
            assertMessage(e, BerthException.Kind.FAILED_PRECONDITION, "more than the 4194304 bytes");
            assertTrue(top.bytesSentOnceClosed(Duration.ofSeconds(30)) < 32 << 20);
            StoreChecks.assertNothingStored(fixture, true);

            proxy.clearFaults();
            RegistryProxy.Endless child = proxy.serveEndless("/v2/" + amd64.repository() + "/manifests/"
                    + amd64.platformManifestDigest(), "application/vnd.oci.image.manifest.v1+json", (byte) ' ');
            e = failPull(fixture.store(), viaProxy(amd64));
            assertMessage(e, BerthException.Kind.FAILED_PRECONDITION, "more than the 4194304 bytes",
                    amd64.platformManifestDigest());
            assertTrue(child.bytesSentOnceClosed(Duration.ofSeconds(30)) < 32 << 20);
            StoreChecks.assertNothingStored(fixture, true);
        }
    }

    private static String read(Path file, long at, int length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] bytes = new byte[length];
            f.seek(at);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }
}
