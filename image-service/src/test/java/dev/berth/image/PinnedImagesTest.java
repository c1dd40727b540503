package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.image.store.StoredImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class PinnedImagesTest {

    private static final String ID = "sha256:" + "a".repeat(64);

    private static StoredImage image(String id, List<String> tags, List<String> digests) {
        return new StoredImage(id, tags, digests, "sha256:" + "b".repeat(64),
                "application/vnd.oci.image.manifest.v1+json", List.of(), id, List.of(), List.of(), 0,
                ImageConfigView.empty(), 0);
    }

    @Test
    void pinsByIdWithOrWithoutPrefixAndByTag() {
        StoredImage pause = image(ID, List.of("registry.k8s.io/pause:3.10"), List.of());
        assertTrue(PinnedImages.of(List.of(ID)).pins(pause));
        assertTrue(PinnedImages.of(List.of(" " + "a".repeat(64) + " ")).pins(pause));
        assertTrue(PinnedImages.of(List.of("registry.k8s.io/pause:3.10")).pins(pause));
        assertFalse(PinnedImages.of(List.of("registry.k8s.io/pause:3.9")).pins(pause));
        assertFalse(PinnedImages.of(List.of()).pins(pause));
    }

    @Test
    void shortNamesAreNormalizedLikeTheKubeletsReferences() {
        StoredImage busybox = image(ID, List.of("docker.io/library/busybox:latest"), List.of());
        assertTrue(PinnedImages.of(List.of("busybox")).pins(busybox));
    }
}
