package dev.berth.image.it;

import dev.berth.common.error.BerthException;
import dev.berth.image.ImageStore;
import dev.berth.image.RegistryConfig;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.support.RegistryProxy;
import dev.berth.image.support.StoreFixture;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.Compression;
import dev.berth.testing.image.Layer;
import dev.berth.testing.image.LayerBuilder;
import dev.berth.testing.image.MaliciousLayers;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.berth.image.support.StoreFixture.inMinutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pulls that must fail cleanly: hostile content, broken registries, deadlines, lost progress. */
@Tag("host")
class PullFailureTest {

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

    /** The same image through the proxy. */
    private static String viaProxy(PushedImage image) {
        return proxy.address() + "/" + image.repository() + (image.tag().isEmpty() ? "@" + image.manifestDigest()
                : ":" + image.tag());
    }

    private static BerthException failPull(ImageStore store, String reference, Instant deadline) {
        return assertThrows(BerthException.class,
                () -> store.pull(reference, RegistryCredentials.anonymous(), deadline));
    }

    private static void assertNothingStored(StoreFixture fixture, boolean permanent) throws IOException {
        StoreChecks.assertNothingStored(fixture, permanent);
    }

    @Test
    void maliciousLayersAreRefusedWithTheirDigestAndLeaveNothing() throws IOException {
        Map<String, Function<Compression, Layer>> layers = new LinkedHashMap<>();
        layers.put("dotdot", MaliciousLayers::dotDotEscape);
        layers.put("symlink", MaliciousLayers::symlinkEscape);
        layers.put("relative-symlink", MaliciousLayers::relativeSymlinkEscape);
        layers.put("hardlink", MaliciousLayers::hardlinkEscape);
        layers.put("absolute-hardlink", MaliciousLayers::absoluteHardlink);
        try (StoreFixture fixture = fixture()) {
            for (Map.Entry<String, Function<Compression, Layer>> e : layers.entrySet()) {
                Layer bad = e.getValue().apply(Compression.GZIP);
                PushedImage image = BusyboxImages.busyboxWith(registry, "bad/" + e.getKey(), "latest", bad);
                BerthException error = failPull(fixture.store(), image.reference(), inMinutes(2));
                assertEquals(BerthException.Kind.FAILED_PRECONDITION, error.kind(), error.getMessage());
                assertTrue(error.getMessage().contains(bad.digest()), error.getMessage());
                assertNothingStored(fixture, true);
            }
            for (String escaped : List.of("/etc/berth-absolute-escape", "/etc/berth-symlink-escape",
                    "/tmp/berth-relative-escape", "/berth-relative-escape")) {
                assertFalse(Files.exists(Path.of(escaped), LinkOption.NOFOLLOW_LINKS), escaped);
            }
            try (Stream<Path> all = Files.walk(fixture.root().getParent(), 2)) {
                assertTrue(all.noneMatch(p -> p.getFileName() != null
                        && p.getFileName().toString().startsWith("escape")), "escaped file next to the root");
            }
        }
    }

    @Test
    void absoluteEntryNamesAreUnpackedInsideTheLayerAsDockerDoes() throws IOException {
        PushedImage image = BusyboxImages.busyboxWith(registry, "odd/absolute", "latest",
                MaliciousLayers.absolutePath(Compression.GZIP));
        try (StoreFixture fixture = fixture()) {
            fixture.store().pull(image.reference(), RegistryCredentials.anonymous(), inMinutes(2));
            try (Stream<Path> all = Files.walk(fixture.root())) {
                List<Path> found = all.filter(p -> p.endsWith(Path.of("diff", "etc", "berth-absolute-escape")))
                        .toList();
                assertEquals(1, found.size(), "the entry in one layer's diff: " + found);
            }
            assertFalse(Files.exists(Path.of("/etc/berth-absolute-escape"), LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void aPassedDeadlineFailsAtOnce() throws IOException {
        PushedImage image = BusyboxImages.busybox(registry, "fail/deadline-now", "latest");
        try (StoreFixture fixture = fixture()) {
            BerthException e = failPull(fixture.store(), viaProxy(image), Instant.now());
            assertEquals(BerthException.Kind.DEADLINE_EXCEEDED, e.kind());
            e = failPull(fixture.store(), viaProxy(image), Instant.now().plusMillis(1));
            assertEquals(BerthException.Kind.DEADLINE_EXCEEDED, e.kind());
            assertNothingStored(fixture, false);
        }
    }

    @Test
    void aDeadlineDuringTheDownloadStopsItAndLeavesNothingHalfStored() throws IOException {
        PushedImage image = BusyboxImages.large(registry, "fail/deadline-mid", "latest", 2, 6L << 20, 7);
        try (StoreFixture fixture = fixture()) {
            proxy.throttleBlobs(1 << 20);
            BerthException e = failPull(fixture.store(), viaProxy(image), Instant.now().plusMillis(800));
            assertEquals(BerthException.Kind.DEADLINE_EXCEEDED, e.kind(), e.getMessage());
            assertNothingStored(fixture, false);

            proxy.clearFaults();
            assertEquals(image.imageId(), fixture.store().pull(viaProxy(image), RegistryCredentials.anonymous(),
                    inMinutes(2)).id());
        }
    }

    @Test
    void aStalledDownloadIsCancelledByTheProgressTimeout() throws IOException {
        PushedImage image = BusyboxImages.busybox(registry, "fail/stall", "latest");
        try (StoreFixture fixture = new StoreFixture(c -> c.withProgressTimeout(Duration.ofSeconds(1))
                .withRegistry(proxy.address(), RegistryConfig.insecureRegistry()))) {
            proxy.stallBlobsAfter(4096);
            BerthException e = failPull(fixture.store(), viaProxy(image), inMinutes(2));
            assertEquals(BerthException.Kind.CANCELLED, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("progress timeout"), e.getMessage());
            assertNothingStored(fixture, false);
        }
    }

    @Test
    void serverErrorsAndDroppedConnectionsAreRetried() {
        PushedImage image = BusyboxImages.multiLayerWithWhiteouts(registry, "fail/flaky", "latest");
        try (StoreFixture fixture = fixture()) {
            proxy.failNext(2, path -> path.contains("/manifests/") || path.contains("/blobs/"));
            proxy.dropNextBlobBodies(2);
            assertEquals(image.imageId(), fixture.store().pull(viaProxy(image), RegistryCredentials.anonymous(),
                    inMinutes(2)).id());
            int blobGets = proxy.count(k -> k.startsWith("GET ") && k.contains("/blobs/"));
            assertTrue(blobGets >= image.layerDigests().size() + 1 + 2, "blob GETs " + blobGets);
        }
    }

    @Test
    void blobRedirectsAreFollowed() {
        PushedImage image = BusyboxImages.multiLayerWithWhiteouts(registry, "fail/redirect", "latest");
        try (StoreFixture fixture = fixture()) {
            proxy.redirectBlobs(true);
            assertEquals(image.imageId(), fixture.store().pull(viaProxy(image), RegistryCredentials.anonymous(),
                    inMinutes(2)).id());
            for (String layer : image.layerDigests()) {
                assertEquals(1, proxy.blobGets(image.repository(), layer));
            }
        }
    }

    @Test
    void contentThatDoesNotMatchItsDigestIsRefused() throws IOException {
        byte[] filler = new byte[64 * 1024];
        Arrays.fill(filler, (byte) 'A');
        Layer plain = LayerBuilder.create().file("data.bin", filler, 0644).build(Compression.NONE);
        PushedImage image = BusyboxImages.busyboxWith(registry, "fail/tampered", "latest", plain);
        byte[] tampered = plain.blob();
        tampered[tampered.length / 2] = 'B'; // inside the file content: still a valid tar
        try (StoreFixture fixture = fixture()) {
            proxy.replace("/v2/" + image.repository() + "/blobs/" + plain.digest(), tampered,
                    "application/octet-stream");
            BerthException e = failPull(fixture.store(), viaProxy(image), inMinutes(2));
            assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
            assertTrue(e.getMessage().contains(plain.digest()) && e.getMessage().contains("does not match"),
                    e.getMessage());
            assertNothingStored(fixture, true);

            proxy.clearFaults();
            byte[] otherConfig = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes(StandardCharsets.UTF_8);
            byte[] sameSize = Arrays.copyOf(otherConfig, (int) configSize(image));
            Arrays.fill(sameSize, otherConfig.length, sameSize.length, (byte) ' ');
            proxy.replace("/v2/" + image.repository() + "/blobs/" + image.configDigest(), sameSize,
                    "application/octet-stream");
            e = failPull(fixture.store(), viaProxy(image), inMinutes(2));
            assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
            assertTrue(e.getMessage().contains(image.configDigest()), e.getMessage());
            assertNothingStored(fixture, true);

            proxy.clearFaults();
            PushedImage other = BusyboxImages.busybox(registry, "fail/tampered-other", "latest");
            proxy.replace("/v2/" + image.repository() + "/manifests/" + image.manifestDigest(),
                    StoreChecks.manifestBytes(registry, other), "application/vnd.oci.image.manifest.v1+json");
            e = failPull(fixture.store(), proxy.address() + "/" + image.repository() + "@" + image.manifestDigest(),
                    inMinutes(2));
            assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
            assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
            assertNothingStored(fixture, true);
        }
    }

    @Test
    void unusableManifestsAreRefused() throws IOException {
        PushedImage image = BusyboxImages.busybox(registry, "fail/manifest", "latest");
        String path = "/v2/" + image.repository() + "/manifests/latest";
        String schema1 = "{\"schemaVersion\":1,\"name\":\"fail/manifest\",\"tag\":\"latest\",\"architecture\":"
                + "\"amd64\",\"fsLayers\":[],\"history\":[],\"signatures\":[]}";
        String unknown = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example.thing.v1+json\"}";
        byte[] huge = new byte[5 << 20];
        Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        bodies.put("schema 1", schema1.getBytes(StandardCharsets.UTF_8));
        bodies.put("unsupported media type", unknown.getBytes(StandardCharsets.UTF_8));
        bodies.put("more than the 4194304 bytes", huge);
        Map<String, String> types = Map.of("schema 1", "application/vnd.docker.distribution.manifest.v1+prettyjws",
                "unsupported media type", "application/vnd.example.thing.v1+json",
                "more than the 4194304 bytes", "application/vnd.oci.image.manifest.v1+json");
        try (StoreFixture fixture = fixture()) {
            for (Map.Entry<String, byte[]> body : bodies.entrySet()) {
                proxy.replace(path, body.getValue(), types.get(body.getKey()));
                BerthException e = failPull(fixture.store(), viaProxy(image), inMinutes(2));
                assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind(), e.getMessage());
                assertTrue(e.getMessage().contains(body.getKey()), e.getMessage());
                assertNothingStored(fixture, true);
            }
        }
    }

    @Test
    void unreachableRegistriesAndHttpsByDefault() throws IOException {
        PushedImage image = BusyboxImages.busybox(registry, "fail/unreachable", "latest");
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            closedPort = s.getLocalPort();
        }
        try (StoreFixture fixture = new StoreFixture(c -> c
                .withRegistry("127.0.0.1:" + closedPort, RegistryConfig.insecureRegistry()))) {
            BerthException e = failPull(fixture.store(), "127.0.0.1:" + closedPort + "/x/y:z", inMinutes(2));
            assertEquals(BerthException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
            // Not marked insecure: berth speaks HTTPS to the plain-HTTP registry and fails.
            e = failPull(fixture.store(), image.reference(), inMinutes(2));
            assertEquals(BerthException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("https://" + registry.address()), e.getMessage());
            assertNothingStored(fixture, true);
        }
    }

    @Test
    void startupRemovesWhatInterruptedWorkLeft() throws IOException {
        PushedImage image = BusyboxImages.busybox(registry, "fail/recovery", "latest");
        try (StoreFixture fixture = fixture()) {
            fixture.store().pull(image.reference(), RegistryCredentials.anonymous(), inMinutes(2));
            Path root = fixture.root();
            Path half = root.resolve("overlay2/incomplete/" + "a".repeat(64) + "-x/diff/usr");
            Files.createDirectories(half);
            Files.writeString(half.resolve("half-written"), "x");
            Files.writeString(root.resolve("images/blobs/sha256/.deadbeef.tmp-1-1"), "partial");
            Files.writeString(root.resolve("images/records/.abc.json.tmp-1-1"), "{");
            Files.createDirectories(root.resolve("overlay2/containers/never-finished/diff"));
            Files.createSymbolicLink(root.resolve("overlay2/l/DANGLINGLINKDANGLINGLINKXX"),
                    Path.of("..", "b".repeat(64), "diff"));
            // An image record whose layer vanished must not be served as complete.
            String other = "c".repeat(64);
            Files.writeString(root.resolve("images/records/" + other + ".json"), Files.readString(
                    root.resolve("images/records/" + image.imageId().substring(7) + ".json"))
                    .replace(image.imageId().substring(7), other).replace(image.diffIds().get(0).substring(7),
                            "d".repeat(64)));

            ImageStore reopened = fixture.reopen();
            assertTrue(PullTest.isEmptyDir(root.resolve("overlay2/incomplete")));
            assertTrue(PullTest.isEmptyDir(root.resolve("overlay2/containers")));
            assertFalse(Files.exists(root.resolve("images/blobs/sha256/.deadbeef.tmp-1-1")));
            assertFalse(Files.exists(root.resolve("images/records/.abc.json.tmp-1-1")));
            assertFalse(Files.exists(root.resolve("overlay2/l/DANGLINGLINKDANGLINGLINKXX"), LinkOption.NOFOLLOW_LINKS));
            assertFalse(Files.exists(root.resolve("images/records/" + other + ".json")));
            assertEquals(List.of(image.imageId()), reopened.list().stream().map(r -> r.id()).toList());
        }
    }

    private static long configSize(PushedImage image) {
        try {
            return registry.httpClient().send(java.net.http.HttpRequest.newBuilder(registry.url("/v2/"
                            + image.repository() + "/blobs/" + image.configDigest())).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body().length;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
