package dev.berth.image.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestParserTest {

    private static final String D = "sha256:" + "0a".repeat(32);
    private final ManifestParser parser = new ManifestParser(new ObjectMapper());

    private ParsedManifest parse(String json, String contentType) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), contentType, "test");
    }

    @Test
    void readsOciAndDockerManifests() {
        String body = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\""
                + D + "\",\"size\":7},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"" + D + "\",\"size\":9}]}";
        ImageManifest m = assertInstanceOf(ImageManifest.class, parse(body, ""));
        assertEquals(MediaTypes.OCI_MANIFEST, m.mediaType());
        assertEquals(9, m.layers().get(0).size());
        ImageManifest docker = assertInstanceOf(ImageManifest.class, parse(body,
                MediaTypes.DOCKER_MANIFEST + "; charset=utf-8"));
        assertEquals(MediaTypes.DOCKER_MANIFEST, docker.mediaType());
    }

    @Test
    void readsIndexes() {
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_LIST + "\",\"manifests\":[{"
                + "\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"digest\":\"" + D + "\",\"size\":1,"
                + "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
        ImageIndex index = assertInstanceOf(ImageIndex.class, parse(body, "application/json"));
        assertEquals("amd64", index.manifests().get(0).platform().orElseThrow().architecture());
    }

    @Test
    void refusesSchema1UnknownTypesAndBadDescriptors() {
        assertRefused("{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", "", "schema 1");
        assertRefused("{\"schemaVersion\":2}", MediaTypes.DOCKER_SCHEMA1_SIGNED, "schema 1");
        assertRefused("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example+json\"}", "", "unsupported");
        assertRefused("{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:zz\",\"size\":1},\"layers\":[]}", "",
                "digest");
        assertRefused("[1,2]", "", "not a JSON object");
        assertRefused("{", "", "not valid JSON");
    }

    private void assertRefused(String body, String contentType, String why) {
        BerthException e = assertThrows(BerthException.class, () -> parse(body, contentType));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
