package dev.berth.testing.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Http;
import dev.berth.testing.registry.TestRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Pushes the canned images and reads them back with plain HTTP GETs, recomputing every digest. */
@Tag("host")
class ImagePushTest {

    private static final String ACCEPT = String.join(", ", List.of(
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json"));

    private static TestRegistry registry;
    private final Http http = new Http();
    private final ObjectMapper mapper = new ObjectMapper();

    @BeforeAll
    static void startRegistry() {
        registry = TestRegistry.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    @Test
    void busyboxManifestConfigAndLayerReadBack() throws Exception {
        PushedImage image = BusyboxImages.busybox(registry);
        assertEquals(registry.address() + "/berth-test/busybox:latest", image.reference());
        assertEquals(image.manifestDigest(), image.platformManifestDigest());

        JsonNode manifest = manifest("berth-test/busybox", "latest", image.manifestDigest(),
                "application/vnd.oci.image.manifest.v1+json");
        JsonNode config = verifiedConfig("berth-test/busybox", manifest, image);
        assertEquals("[\"sh\"]", config.path("config").path("Cmd").toString());
        assertEquals("amd64", config.path("architecture").asText());
        assertEquals("linux", config.path("os").asText());

        byte[] tar = verifiedLayers("berth-test/busybox", manifest, image).get(0);
        Map<String, Blobs.Member> members = Blobs.members(tar);
        assertTrue(members.get("bin/busybox").content().length > 500_000);
        for (String applet : BusyboxImages.REQUIRED_APPLETS) {
            assertEquals("busybox", members.get("bin/" + applet).entry().getLinkName(), applet);
        }
        assertEquals(01777, members.get("tmp/").entry().getMode());
        assertEquals(BusyboxImages.PASSWD, new String(members.get("etc/passwd").content()));
        assertEquals(image.size(), manifest.path("config").path("size").asLong()
                + manifest.path("layers").get(0).path("size").asLong());

        // Same content, same digests: tests can compare IDs across pushes.
        assertEquals(image, BusyboxImages.busybox(registry));
    }

    @Test
    void schema2UsesDockerMediaTypes() throws Exception {
        PushedImage image = BusyboxImages.schema2(registry);
        assertEquals("application/vnd.docker.distribution.manifest.v2+json", image.manifestMediaType());
        JsonNode manifest = manifest("berth-test/busybox-schema2", "latest", image.manifestDigest(),
                "application/vnd.docker.distribution.manifest.v2+json");
        assertEquals("application/vnd.docker.container.image.v1+json",
                manifest.path("config").path("mediaType").asText());
        assertEquals("application/vnd.docker.image.rootfs.diff.tar.gzip",
                manifest.path("layers").get(0).path("mediaType").asText());
        verifiedConfig("berth-test/busybox-schema2", manifest, image);
        verifiedLayers("berth-test/busybox-schema2", manifest, image);
    }

    @Test
    void zstdLayerDigestsRecompute() throws Exception {
        PushedImage image = BusyboxImages.zstd(registry);
        JsonNode manifest = manifest("berth-test/busybox-zstd", "latest", image.manifestDigest(),
                "application/vnd.oci.image.manifest.v1+json");
        assertEquals("application/vnd.oci.image.layer.v1.tar+zstd",
                manifest.path("layers").get(0).path("mediaType").asText());
        verifiedLayers("berth-test/busybox-zstd", manifest, image);
        // The diffID does not depend on the compression: the gzip busybox has the same one.
        assertEquals(BusyboxImages.busybox(registry).diffIds(), image.diffIds());
    }

    @Test
    void multiLayerWithWhiteoutsHasThreeVerifiedLayers() throws Exception {
        PushedImage image = BusyboxImages.multiLayerWithWhiteouts(registry);
        JsonNode manifest = manifest("berth-test/multilayer", "latest", image.manifestDigest(),
                "application/vnd.oci.image.manifest.v1+json");
        assertEquals(3, manifest.path("layers").size());
        assertEquals("application/vnd.oci.image.layer.v1.tar", manifest.path("layers").get(2).path("mediaType")
                .asText());
        List<byte[]> tars = verifiedLayers("berth-test/multilayer", manifest, image);
        assertTrue(Blobs.names(tars.get(2)).containsAll(List.of("data/.wh.remove-me.txt", "data/.wh.gone-dir",
                "data/replaced/.wh..wh..opq")));
        Blobs.Member secret = Blobs.members(tars.get(1)).get("data/secret/key");
        assertEquals(0600, secret.entry().getMode());
        assertEquals(1002, secret.entry().getLongUserId());
        JsonNode config = verifiedConfig("berth-test/multilayer", manifest, image);
        assertEquals("/data", config.path("config").path("WorkingDir").asText());
        assertEquals(3, config.path("history").size());
    }

    @Test
    void ociIndexListsThreePlatformsWithAmd64Last() throws Exception {
        PushedImage image = BusyboxImages.multiArch(registry);
        checkIndex(image, "berth-test/multiarch", "application/vnd.oci.image.index.v1+json",
                "application/vnd.oci.image.manifest.v1+json");
    }

    @Test
    void dockerManifestListListsThreePlatforms() throws Exception {
        PushedImage image = BusyboxImages.multiArchDockerList(registry);
        checkIndex(image, "berth-test/multiarch-list",
                "application/vnd.docker.distribution.manifest.list.v2+json",
                "application/vnd.docker.distribution.manifest.v2+json");
    }

    @Test
    void sixtyLayers() throws Exception {
        PushedImage image = BusyboxImages.manyLayers(registry, 60);
        JsonNode manifest = manifest("berth-test/manylayers", "latest", image.manifestDigest(),
                "application/vnd.oci.image.manifest.v1+json");
        assertEquals(60, manifest.path("layers").size());
        assertEquals(60, image.diffIds().size());
        verifiedConfig("berth-test/manylayers", manifest, image);
    }

    @Test
    void largeImageIsStreamedAndVerifies() throws Exception {
        long total = 24L * 1024 * 1024;
        PushedImage image = BusyboxImages.large(registry, "berth-test/large-small", "v1", 3, total, 7);
        assertTrue(image.uncompressedSize() > total);
        assertTrue(image.size() > total, "random data must not compress");
        JsonNode manifest = manifest("berth-test/large-small", "v1", image.manifestDigest(),
                "application/vnd.oci.image.manifest.v1+json");
        verifiedConfig("berth-test/large-small", manifest, image);
        for (int i = 0; i < 3; i++) {
            JsonNode layer = manifest.path("layers").get(i);
            HttpResponse<InputStream> blob = http.getStream(registry.url("/v2/berth-test/large-small/blobs/"
                    + layer.path("digest").asText()));
            assertEquals(200, blob.statusCode());
            assertEquals(image.layerDigests().get(i), Blobs.sha256(blob.body()));
            HttpResponse<InputStream> again = http.getStream(registry.url("/v2/berth-test/large-small/blobs/"
                    + layer.path("digest").asText()));
            assertEquals(image.diffIds().get(i), Blobs.sha256(Blobs.decompress(layer.path("mediaType").asText(),
                    again.body())));
        }
        // Seeded: a second push of the same image gives the same digests.
        assertEquals(image.manifestDigest(),
                BusyboxImages.large(registry, "berth-test/large-small", "v2", 3, total, 7).manifestDigest());
    }

    @Test
    void fullSizeLargeImageVerifiesInOnePassPerLayer() throws Exception {
        PushedImage image = BusyboxImages.large(registry, 4, 150L * 1024 * 1024);
        assertEquals(4, image.layerDigests().size());
        assertTrue(image.size() > 150L * 1024 * 1024);
        JsonNode manifest = manifest("berth-test/large", "latest", image.manifestDigest(),
                "application/vnd.oci.image.manifest.v1+json");
        verifiedConfig("berth-test/large", manifest, image);
        for (int i = 0; i < 4; i++) {
            JsonNode layer = manifest.path("layers").get(i);
            HttpResponse<InputStream> blob = http.getStream(registry.url("/v2/berth-test/large/blobs/"
                    + layer.path("digest").asText()));
            MessageDigest compressed = MessageDigest.getInstance("SHA-256");
            try (DigestInputStream raw = new DigestInputStream(blob.body(), compressed)) {
                assertEquals(image.diffIds().get(i),
                        Blobs.sha256Remaining(Blobs.decompress(layer.path("mediaType").asText(), raw)));
                raw.transferTo(OutputStream.nullOutputStream());
            }
            assertEquals(image.layerDigests().get(i), "sha256:" + HexFormat.of().formatHex(compressed.digest()));
        }
    }

    private void checkIndex(PushedImage image, String repository, String indexType, String childType)
            throws Exception {
        assertEquals(indexType, image.manifestMediaType());
        JsonNode index = manifest(repository, "latest", image.manifestDigest(), indexType);
        JsonNode manifests = index.path("manifests");
        assertEquals(3, manifests.size());
        List<String> platforms = new ArrayList<>();
        for (JsonNode entry : manifests) {
            JsonNode platform = entry.path("platform");
            platforms.add(platform.path("os").asText() + "/" + platform.path("architecture").asText()
                    + (platform.has("variant") ? "/" + platform.path("variant").asText() : ""));
            assertEquals(childType, entry.path("mediaType").asText());
        }
        assertEquals(List.of("linux/arm64/v8", "linux/arm/v7", "linux/amd64"), platforms);
        assertEquals(image.platformManifestDigest(), manifests.get(2).path("digest").asText());

        JsonNode amd64 = manifest(repository, image.platformManifestDigest(), image.platformManifestDigest(),
                childType);
        verifiedConfig(repository, amd64, image);
        List<byte[]> tars = verifiedLayers(repository, amd64, image);
        assertEquals("linux/amd64\n", new String(Blobs.members(tars.get(1)).get("etc/berth-platform").content()));
        JsonNode arm = manifest(repository, manifests.get(1).path("digest").asText(),
                manifests.get(1).path("digest").asText(), childType);
        JsonNode armConfig = mapper.readTree(blob(repository, arm.path("config").path("digest").asText()));
        assertEquals("arm", armConfig.path("architecture").asText());
        assertEquals("v7", armConfig.path("variant").asText());
    }

    /** GETs a manifest, checks its digest and media type, returns it parsed. */
    private JsonNode manifest(String repository, String reference, String digest, String mediaType)
            throws Exception {
        HttpResponse<byte[]> response = http.get(registry.url("/v2/" + repository + "/manifests/" + reference),
                "Accept", ACCEPT);
        assertEquals(200, response.statusCode(), new String(response.body()));
        assertEquals(digest, Blobs.sha256(response.body()));
        assertEquals(digest, response.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertEquals(mediaType, response.headers().firstValue("Content-Type").orElseThrow());
        JsonNode manifest = mapper.readTree(response.body());
        assertEquals(mediaType, manifest.path("mediaType").asText());
        assertEquals(2, manifest.path("schemaVersion").asInt());
        return manifest;
    }

    private JsonNode verifiedConfig(String repository, JsonNode manifest, PushedImage image) throws Exception {
        String digest = manifest.path("config").path("digest").asText();
        assertEquals(image.configDigest(), digest);
        byte[] config = blob(repository, digest);
        assertEquals(manifest.path("config").path("size").asLong(), config.length);
        JsonNode parsed = mapper.readTree(config);
        List<String> diffIds = new ArrayList<>();
        parsed.path("rootfs").path("diff_ids").forEach(d -> diffIds.add(d.asText()));
        assertEquals(image.diffIds(), diffIds);
        return parsed;
    }

    /** Fetches every layer, checks blob digest, size and diffID; returns the uncompressed tars. */
    private List<byte[]> verifiedLayers(String repository, JsonNode manifest, PushedImage image) throws Exception {
        List<byte[]> tars = new ArrayList<>();
        JsonNode layers = manifest.path("layers");
        assertEquals(image.layerDigests().size(), layers.size());
        for (int i = 0; i < layers.size(); i++) {
            JsonNode layer = layers.get(i);
            byte[] blob = blob(repository, layer.path("digest").asText());
            assertEquals(image.layerDigests().get(i), Blobs.sha256(blob));
            assertEquals(layer.path("size").asLong(), blob.length);
            byte[] tar = Blobs.decompress(layer.path("mediaType").asText(), blob);
            assertEquals(image.diffIds().get(i), Blobs.sha256(tar));
            tars.add(tar);
        }
        return tars;
    }

    private byte[] blob(String repository, String digest) throws Exception {
        HttpResponse<byte[]> response = http.get(registry.url("/v2/" + repository + "/blobs/" + digest));
        assertEquals(200, response.statusCode());
        assertEquals(digest, Blobs.sha256(response.body()));
        return response.body();
    }

}
