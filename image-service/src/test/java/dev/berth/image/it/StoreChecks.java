package dev.berth.image.it;

import dev.berth.image.layer.DiskUsage;
import dev.berth.image.layer.NativeFs;
import dev.berth.image.support.StoreFixture;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a failed pull must have left in a store: nothing half-made. */
final class StoreChecks {

    private StoreChecks() {
    }

    /** No image, no half-made layer, and (after a permanent failure) no layer or blob at all. */
    static void assertNothingStored(StoreFixture fixture, boolean permanent) throws IOException {
        assertTrue(fixture.store().list().isEmpty());
        assertTrue(PullTest.isEmptyDir(fixture.root().resolve("overlay2/incomplete")), "incomplete layers left");
        try (Stream<Path> dirs = Files.list(fixture.root().resolve("overlay2"))) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString();
                if (name.matches("[0-9a-f]{64}")) {
                    assertFalse(permanent, "layer left after a permanent failure: " + name);
                    assertTrue(Files.isRegularFile(dir.resolve("layer.json")), "unfinished layer " + name);
                }
            }
        }
        if (permanent) {
            assertTrue(PullTest.isEmptyDir(fixture.root().resolve("images/blobs/sha256")));
        }
        assertTrue(PullTest.isEmptyDir(fixture.root().resolve("images/records")));
    }

    /** The store's whole tree takes less than {@code bytes} of disk (allocated blocks, each inode once). */
    static void assertDiskUsageBelow(StoreFixture fixture, long bytes) throws IOException {
        long used = new DiskUsage(NativeFs.load()).measure(fixture.root()).bytes();
        assertTrue(used < bytes, "the store takes " + used + " bytes of disk");
    }

    /** The image's manifest as the registry serves it. */
    static byte[] manifestBytes(TestRegistry registry, PushedImage image) {
        try {
            return registry.httpClient().send(HttpRequest.newBuilder(registry.url("/v2/"
                            + image.repository() + "/manifests/" + image.manifestDigest()))
                            .header("Accept", image.manifestMediaType()).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
