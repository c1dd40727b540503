package dev.berth.image.it;

import dev.berth.common.error.BerthException;
import dev.berth.image.ImageRecord;
import dev.berth.image.RegistryConfig;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.support.RegistryProxy;
import dev.berth.image.support.StoreFixture;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import static dev.berth.image.support.StoreFixture.inMinutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registry mirrors: tried first, in order; the registry after them unless disabled; the name never changes. */
@Tag("host")
class MirrorTest {

    private static String closedAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void theMirrorServesAndTheImageKeepsItsName() throws IOException {
        String upstream = closedAddress(); // the registry itself is down: only the mirror can serve
        try (TestRegistry mirror = TestRegistry.start();
             RegistryProxy counting = new RegistryProxy(mirror.baseUri());
             StoreFixture fixture = new StoreFixture(c -> c.withRegistry(upstream,
                     new RegistryConfig(List.of(counting.uri()), true, false)))) {
            PushedImage image = BusyboxImages.busybox(mirror, "mirrored/app", "1");
            String reference = upstream + "/mirrored/app:1";
            ImageRecord record = fixture.store().pull(reference, RegistryCredentials.anonymous(), inMinutes(2));
            assertEquals(image.imageId(), record.id());
            assertEquals(List.of(reference), record.repoTags());
            assertEquals(List.of(upstream + "/mirrored/app@" + image.manifestDigest()), record.repoDigests());
            assertEquals(1, counting.count("GET", "/v2/mirrored/app/manifests/1"));
            assertEquals(1, counting.blobGets("mirrored/app", image.layerDigests().get(0)));
            assertEquals(record.id(), fixture.store().find(reference).orElseThrow().id());
        }
    }

    @Test
    void mirrorsAreTriedInOrderThenTheRegistry() throws IOException {
        String down = closedAddress();
        try (TestRegistry registry = TestRegistry.start();
             TestRegistry emptyMirror = TestRegistry.start();
             RegistryProxy mirrorCount = new RegistryProxy(emptyMirror.baseUri());
             RegistryProxy registryCount = new RegistryProxy(registry.baseUri());
             StoreFixture fixture = new StoreFixture(c -> c.withRegistry(registryCount.address(),
                     new RegistryConfig(List.of(java.net.URI.create("http://" + down), mirrorCount.uri()), true,
                             false)))) {
            PushedImage image = BusyboxImages.busybox(registry, "fallback/app", "latest");
            String reference = registryCount.address() + "/fallback/app:latest";
            ImageRecord record = fixture.store().pull(reference, RegistryCredentials.anonymous(), inMinutes(2));
            assertEquals(image.imageId(), record.id());
            assertEquals(List.of(reference), record.repoTags());
            assertEquals(1, mirrorCount.count("GET", "/v2/fallback/app/manifests/latest"));
            assertEquals(1, registryCount.count("GET", "/v2/fallback/app/manifests/latest"));
            assertEquals(1, registryCount.blobGets("fallback/app", image.layerDigests().get(0)));
        }
    }

    @Test
    void withoutFallbackOnlyMirrorsAreAsked() {
        try (TestRegistry registry = TestRegistry.start();
             TestRegistry emptyMirror = TestRegistry.start();
             RegistryProxy registryCount = new RegistryProxy(registry.baseUri());
             StoreFixture fixture = new StoreFixture(c -> c.withRegistry(registryCount.address(),
                     new RegistryConfig(List.of(emptyMirror.baseUri()), true, true)))) {
            BusyboxImages.busybox(registry, "nofallback/app", "latest");
            BerthException e = assertThrows(BerthException.class, () -> fixture.store().pull(
                    registryCount.address() + "/nofallback/app:latest", RegistryCredentials.anonymous(),
                    inMinutes(2)));
            assertEquals(BerthException.Kind.NOT_FOUND, e.kind());
            assertTrue(e.getMessage().contains("mirror"), e.getMessage());
            assertEquals(0, registryCount.count(k -> true));
        }
    }
}
