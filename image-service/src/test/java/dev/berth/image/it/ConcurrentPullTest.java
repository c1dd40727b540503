package dev.berth.image.it;

import dev.berth.common.error.BerthException;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageStore;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.layer.DiskUsage;
import dev.berth.image.layer.NativeFs;
import dev.berth.image.support.RegistryProxy;
import dev.berth.image.support.StoreFixture;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.Compression;
import dev.berth.testing.image.LayerBuilder;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.berth.image.support.StoreFixture.inMinutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pulls running at the same time share downloads; the big image comes down in parallel. */
@Tag("host")
class ConcurrentPullTest {

    private static TestRegistry registry;
    private static RegistryProxy proxy;
    private final ExecutorService threads = Executors.newCachedThreadPool();

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
    void reset() {
        threads.shutdownNow();
        proxy.clearFaults();
        proxy.resetCounts();
    }

    private static String viaProxy(PushedImage image) {
        return proxy.address() + "/" + image.repository() + ":" + image.tag();
    }

    private List<ImageRecord> pullTogether(ImageStore store, List<String> references) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ImageRecord>> pulls = new ArrayList<>();
        for (String reference : references) {
            pulls.add(threads.submit(() -> {
                go.await();
                return store.pull(reference, RegistryCredentials.anonymous(), inMinutes(2));
            }));
        }
        go.countDown();
        List<ImageRecord> out = new ArrayList<>();
        for (Future<ImageRecord> pull : pulls) {
            out.add(pull.get());
        }
        return out;
    }

    @Test
    void concurrentPullsOfOneImageDownloadEachBlobOnce() throws Exception {
        PushedImage image = BusyboxImages.multiLayerWithWhiteouts(registry, "together/same", "latest");
        try (StoreFixture fixture = StoreFixture.insecure(proxy.address())) {
            proxy.throttleBlobs(2 << 20); // long enough that the pulls overlap
            List<ImageRecord> records = pullTogether(fixture.store(), List.of(viaProxy(image), viaProxy(image),
                    viaProxy(image), viaProxy(image)));
            records.forEach(r -> assertEquals(image.imageId(), r.id()));
            for (String layer : image.layerDigests()) {
                assertEquals(1, proxy.blobGets(image.repository(), layer), layer);
            }
            assertEquals(1, proxy.blobGets(image.repository(), image.configDigest()));
            assertEquals(1, fixture.store().list().size());
        }
    }

    @Test
    void imagesSharingLayersShareTheirDownload() throws Exception {
        PushedImage first = BusyboxImages.busyboxImage().layer(LayerBuilder.create().file("one", "1", 0644)
                .build(Compression.GZIP)).push(registry, "together/first", "latest");
        PushedImage second = BusyboxImages.busyboxImage().layer(LayerBuilder.create().file("two", "2", 0644)
                .build(Compression.GZIP)).push(registry, "together/second", "latest");
        String base = first.layerDigests().get(0);
        assertEquals(base, second.layerDigests().get(0));
        try (StoreFixture fixture = StoreFixture.insecure(proxy.address())) {
            proxy.throttleBlobs(2 << 20);
            List<ImageRecord> records = pullTogether(fixture.store(), List.of(viaProxy(first), viaProxy(second)));
            assertEquals(records.get(0).chainIds().get(0), records.get(1).chainIds().get(0));
            assertEquals(1, proxy.blobGets(first.repository(), base) + proxy.blobGets(second.repository(), base));
            // Already present: a third image with that base fetches only its own layer.
            PushedImage third = BusyboxImages.busyboxImage().cmd("third").push(registry, "together/third", "latest");
            fixture.store().pull(viaProxy(third), RegistryCredentials.anonymous(), inMinutes(2));
            assertEquals(0, proxy.blobGets(third.repository(), base));
        }
    }

    @Test
    void aWaiterLeavingAtItsDeadlineDoesNotCancelTheOthersDownload() throws Exception {
        PushedImage image = BusyboxImages.large(registry, "together/deadline", "latest", 1, 4L << 20, 11);
        String layer = image.layerDigests().get(0);
        try (StoreFixture fixture = StoreFixture.insecure(proxy.address())) {
            ImageStore store = fixture.store();
            proxy.throttleBlobs(1 << 20);
            CompletableFuture<ImageRecord> patient = CompletableFuture.supplyAsync(
                    () -> store.pull(viaProxy(image), RegistryCredentials.anonymous(), inMinutes(2)), threads);
            while (proxy.blobGets(image.repository(), layer) == 0 && !patient.isDone()) {
                Thread.sleep(10);
            }
            BerthException e = assertThrows(BerthException.class, () -> store.pull(viaProxy(image),
                    RegistryCredentials.anonymous(), Instant.now().plusMillis(300)));
            assertEquals(BerthException.Kind.DEADLINE_EXCEEDED, e.kind());
            assertEquals(image.imageId(), patient.get().id());
            assertEquals(1, proxy.blobGets(image.repository(), layer));
        }
    }

    @Test
    void theLargeImageIsPulledWithLayersInParallel() throws Exception {
        long total = 150L << 20;
        PushedImage image = BusyboxImages.large(registry, 4, total);
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            ImageRecord record = fixture.store().pull(image.reference(), RegistryCredentials.anonymous(),
                    inMinutes(5));
            assertEquals(image.imageId(), record.id());
            assertEquals(4, record.chainIds().size());
            long data = 0;
            for (int i = 0; i < 4; i++) {
                Path layer = fixture.root().resolve("overlay2").resolve(record.chainIds().get(i).substring(7));
                data += Files.size(layer.resolve("diff/data/random-" + i + ".bin"));
            }
            assertEquals(total, data);
            long onDisk = new DiskUsage(NativeFs.load()).measure(fixture.root().resolve("overlay2")).bytes();
            assertTrue(fixture.store().fsUsage().usedBytes() >= total);
            assertTrue(fixture.store().fsUsage().usedBytes() <= onDisk, "accounting above the real usage");
        }
    }
}
