package dev.berth.image.it;

import dev.berth.common.error.BerthException;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageStore;
import dev.berth.image.RegistryConfig;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.manifest.MediaTypes;
import dev.berth.image.support.StoreFixture;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.ImageBuilder;
import dev.berth.testing.image.ManifestFormat;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static dev.berth.image.support.StoreFixture.inMinutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pulls from a real docker-registry on 127.0.0.1 and checks what the store then answers. */
@Tag("host")
class PullTest {

    private static TestRegistry registry;

    @BeforeAll
    static void startRegistry() {
        registry = TestRegistry.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    private static ImageRecord pull(ImageStore store, String reference) {
        return store.pull(reference, RegistryCredentials.anonymous(), inMinutes(2));
    }

    private static long manifestSize(PushedImage image) throws Exception {
        return registry.httpClient().send(java.net.http.HttpRequest.newBuilder(registry.url("/v2/"
                                + image.repository() + "/manifests/" + image.manifestDigest()))
                        .header("Accept", MediaTypes.ACCEPT).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body().length;
    }

    @Test
    void pullsSingleLayerBusyboxAndFindsItByEveryName() throws Exception {
        PushedImage image = BusyboxImages.busybox(registry, "pull/busybox", "1.0");
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            ImageStore store = fixture.store();
            ImageRecord record = pull(store, image.reference());

            assertEquals(image.imageId(), record.id());
            assertEquals(List.of(image.reference()), record.repoTags());
            assertEquals(List.of(image.digestReference()), record.repoDigests());
            assertEquals(image.manifestDigest(), record.manifestDigest());
            assertEquals(MediaTypes.OCI_MANIFEST, record.mediaType());
            assertEquals(image.diffIds(), record.diffIds());
            assertEquals(image.diffIds().get(0), record.chainIds().get(0));
            assertEquals(image.size() + manifestSize(image), record.size());
            assertEquals(List.of("sh"), record.config().cmd());
            assertEquals("busybox", record.config().labels().get("dev.berth.test.image"));
            assertTrue(record.uid().isEmpty());
            assertFalse(record.pinned());

            String hex = image.imageId().substring("sha256:".length());
            for (String name : List.of(image.imageId(), hex, hex.substring(0, 12), "sha256:" + hex.substring(0, 5),
                    image.reference(), image.digestReference(),
                    image.registry() + "/" + image.repository() + ":1.0@" + image.manifestDigest())) {
                assertEquals(image.imageId(), store.find(name).map(ImageRecord::id).orElse("missing: " + name));
            }
            assertEquals(Optional.empty(), store.find(image.registry() + "/" + image.repository() + ":other"));
            assertEquals(Optional.empty(), store.find("sha256:" + "0".repeat(64)));
            assertEquals(Optional.empty(), store.find("busybox"));
            assertEquals(1, store.list().size());
            assertEquals(1, store.list(image.reference()).size());
            assertEquals(0, store.list("nothing:here").size());

            Path layer = fixture.root().resolve("overlay2").resolve(record.chainIds().get(0).substring(7));
            assertTrue(Files.isRegularFile(layer.resolve("diff/bin/busybox")));
            assertTrue(Files.isSymbolicLink(layer.resolve("diff/bin/sh")));
            String link = Files.readString(layer.resolve("link"));
            assertEquals(Path.of("..", layer.getFileName().toString(), "diff"),
                    Files.readSymbolicLink(fixture.root().resolve("overlay2/l").resolve(link)));
            assertTrue(Files.isRegularFile(fixture.root().resolve("images/blobs/sha256")
                    .resolve(image.imageId().substring(7))));
            assertTrue(Files.isRegularFile(fixture.root().resolve("images/blobs/sha256")
                    .resolve(image.manifestDigest().substring(7))));
            assertTrue(store.fsUsage().usedBytes() > Files.size(layer.resolve("diff/bin/busybox")));
            assertTrue(store.fsUsage().inodesUsed() > 250, "inodes " + store.fsUsage().inodesUsed());
            assertEquals(fixture.root().resolve("overlay2"), store.fsUsage().mountpoint());

            // A second pull of the same image changes nothing and downloads no layer.
            assertEquals(record.id(), pull(store, image.reference()).id());
            assertEquals(1, store.list().size());

            // The record survives a restart.
            ImageStore reopened = fixture.reopen();
            assertEquals(record, reopened.find(image.reference()).orElseThrow());
        }
    }

    @Test
    void pullsDockerSchema2AndZstdLayers() {
        PushedImage schema2 = BusyboxImages.schema2(registry, "pull/schema2", "latest");
        PushedImage zstd = BusyboxImages.zstd(registry, "pull/zstd", "latest");
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            ImageRecord docker = pull(fixture.store(), schema2.reference());
            assertEquals(schema2.imageId(), docker.id());
            assertEquals(MediaTypes.DOCKER_MANIFEST, docker.mediaType());
            ImageRecord z = pull(fixture.store(), zstd.reference());
            assertEquals(zstd.imageId(), z.id());
            // Same tar, different compression: the unpacked layer is shared.
            assertEquals(docker.chainIds(), z.chainIds());
            assertEquals(2, fixture.store().list().size());
        }
    }

    @Test
    void multiArchIndexAndManifestListSelectLinuxAmd64() throws IOException {
        for (ManifestFormat format : ManifestFormat.values()) {
            var index = BusyboxImages.multiArch(registry, "pull/multiarch-" + format.name().toLowerCase(), "latest",
                    format);
            try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
                ImageRecord record = pull(fixture.store(), index.image().reference());
                assertEquals(index.image().imageId(), record.id());
                assertEquals(index.image().manifestDigest(), record.manifestDigest());
                assertEquals(format == ManifestFormat.OCI ? MediaTypes.OCI_INDEX : MediaTypes.DOCKER_LIST,
                        record.mediaType());
                assertEquals(List.of(index.image().digestReference()), record.repoDigests());
                String top = record.chainIds().get(record.chainIds().size() - 1).substring(7);
                assertEquals("linux/amd64\n", Files.readString(fixture.root().resolve("overlay2").resolve(top)
                        .resolve("diff/etc/berth-platform")));
                // Pull by the index digest verifies and resolves to the same image.
                assertEquals(record.id(), pull(fixture.store(), index.image().digestReference()).id());
            }
        }
    }

    @Test
    void configUserGivesUidOrUsername() {
        record Case(String user, OptionalLong uid, Optional<String> name) {
        }
        List<Case> cases = List.of(new Case("1002", OptionalLong.of(1002), Optional.empty()),
                new Case("www-data", OptionalLong.empty(), Optional.of("www-data")),
                new Case("1003:1004", OptionalLong.of(1003), Optional.empty()),
                new Case("www-data:1004", OptionalLong.empty(), Optional.of("www-data")),
                new Case("0", OptionalLong.of(0), Optional.empty()));
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            int i = 0;
            for (Case c : cases) {
                PushedImage image = BusyboxImages.busyboxImage().user(c.user()).push(registry, "pull/user", "u" + i++);
                ImageRecord record = pull(fixture.store(), image.reference());
                assertEquals(c.uid(), record.uid(), c.user());
                assertEquals(c.name(), record.username(), c.user());
                assertEquals(c.user(), record.config().user());
            }
        }
    }

    @Test
    void imageConfigIsReported() {
        PushedImage image = BusyboxImages.busyboxImage().entrypoint("/bin/sh", "-c").cmd("echo hi")
                .env("A=1").workingDir("/work").stopSignal("SIGINT").label("k", "v").exposedPort("80/tcp")
                .volume("/data").push(registry, "pull/config", "latest");
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            var config = pull(fixture.store(), image.reference()).config();
            assertEquals(List.of("/bin/sh", "-c"), config.entrypoint());
            assertEquals(List.of("echo hi"), config.cmd());
            assertEquals(List.of(ImageBuilder.DEFAULT_PATH, "A=1"), config.env());
            assertEquals("/work", config.workingDir());
            assertEquals("SIGINT", config.stopSignal());
            assertEquals("v", config.labels().get("k"));
            assertEquals(java.util.Set.of("80/tcp"), config.exposedPorts());
            assertEquals(java.util.Set.of("/data"), config.volumes());
        }
    }

    @Test
    void aTagMovesToTheImageLastPulledUnderIt() {
        PushedImage first = BusyboxImages.busyboxImage().cmd("first").push(registry, "pull/moving", "stable");
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            ImageStore store = fixture.store();
            ImageRecord a = pull(store, first.reference());
            PushedImage second = BusyboxImages.busyboxImage().cmd("second").push(registry, "pull/moving", "stable");
            ImageRecord b = pull(store, second.reference());

            assertEquals(List.of(first.reference()), b.repoTags());
            ImageRecord oldA = store.find(a.id()).orElseThrow();
            assertEquals(List.of(), oldA.repoTags());
            assertEquals(List.of(first.digestReference()), oldA.repoDigests());
            assertEquals(b.id(), store.find(first.reference()).orElseThrow().id());
            // Shared base layer, two images, each with its own top.
            assertEquals(a.chainIds(), b.chainIds());
            assertEquals(2, store.list().size());
            // After a restart the tag is still where it moved.
            assertEquals(b.id(), fixture.reopen().find(first.reference()).orElseThrow().id());
        }
    }

    @Test
    void oneImageUnderTwoRegistriesIsOneImageWithBothNames() {
        try (TestRegistry other = TestRegistry.start();
             StoreFixture fixture = StoreFixture.insecure(registry.address(), other.address())) {
            PushedImage here = BusyboxImages.busybox(registry, "pull/twice", "v1");
            PushedImage there = BusyboxImages.busybox(other, "mirror/of/twice", "v2");
            assertEquals(here.manifestDigest(), there.manifestDigest());
            ImageStore store = fixture.store();
            pull(store, here.reference());
            ImageRecord both = pull(store, there.reference());
            assertEquals(List.of(here.reference(), there.reference()), both.repoTags());
            assertEquals(List.of(here.digestReference(), there.digestReference()), both.repoDigests());
            assertEquals(1, store.list().size());

            store.remove(there.reference());
            assertTrue(store.list().isEmpty());
            assertTrue(store.find(here.reference()).isEmpty());
            assertEquals(0, store.fsUsage().usedBytes());
        }
    }

    @Test
    void removeIsIdempotentAndCollectsLayersAndBlobs() throws Exception {
        PushedImage image = BusyboxImages.multiLayerWithWhiteouts(registry, "pull/remove", "latest");
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            ImageStore store = fixture.store();
            ImageRecord record = pull(store, image.reference());
            store.remove("sha256:" + record.id().substring(7, 19));
            assertTrue(store.find(record.id()).isEmpty());
            store.remove(record.id());
            store.remove(image.reference());
            store.remove("never/pulled:tag");
            assertEquals(List.of("incomplete", "l", "containers", "trash"),
                    sorted(fixture.root().resolve("overlay2"), List.of("incomplete", "l", "containers", "trash")));
            assertTrue(isEmptyDir(fixture.root().resolve("overlay2/l")));
            assertTrue(isEmptyDir(fixture.root().resolve("images/blobs/sha256")));
            assertEquals(0, store.fsUsage().usedBytes());

            // Concurrent removes of one image by ID all return normally.
            ImageRecord again = pull(store, image.reference());
            List<CompletableFuture<Void>> removals = Stream.generate(() -> CompletableFuture.runAsync(
                    () -> store.remove(again.id()))).limit(4).toList();
            removals.forEach(CompletableFuture::join);
            assertTrue(store.list().isEmpty());
        }
    }

    @Test
    void pinnedImagesReportPinned() {
        PushedImage sandbox = BusyboxImages.busybox(registry, "pull/pause", "3.9");
        PushedImage other = BusyboxImages.busyboxImage().cmd("other").push(registry, "pull/other", "latest");
        try (StoreFixture fixture = new StoreFixture(c -> c
                .withRegistry(registry.address(), RegistryConfig.insecureRegistry())
                .withPinnedImages(List.of(sandbox.reference())))) {
            assertTrue(pull(fixture.store(), sandbox.reference()).pinned());
            assertFalse(pull(fixture.store(), other.reference()).pinned());
        }
    }

    @Test
    void rejectsMalformedReferencesAndMissingImages() {
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            BerthException bad = assertThrows(BerthException.class, () -> pull(fixture.store(), "Bad//Ref"));
            assertEquals(BerthException.Kind.INVALID_ARGUMENT, bad.kind());
            assertTrue(bad.getMessage().contains("\"Bad//Ref\""));
            BerthException missing = assertThrows(BerthException.class,
                    () -> pull(fixture.store(), registry.address() + "/pull/none:latest"));
            assertEquals(BerthException.Kind.NOT_FOUND, missing.kind());
            assertTrue(missing.getMessage().contains("pull/none"), missing.getMessage());
        }
    }

    static List<String> sorted(Path dir, List<String> order) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            return order.stream().filter(names::contains).toList().size() == names.size()
                    ? order.stream().filter(names::contains).toList() : names;
        }
    }

    static boolean isEmptyDir(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
