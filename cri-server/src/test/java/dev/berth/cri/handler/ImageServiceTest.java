package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.Image;
import dev.berth.proto.runtime.v1.ImageFilter;
import dev.berth.proto.runtime.v1.ImageFsInfoRequest;
import dev.berth.proto.runtime.v1.ImageFsInfoResponse;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.ImageStatusRequest;
import dev.berth.proto.runtime.v1.ImageStatusResponse;
import dev.berth.proto.runtime.v1.ListImagesRequest;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemoveImageRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ImageService over the CRI socket, against a real registry on loopback. */
@Tag("host")
class ImageServiceTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    private static ImageSpec spec(String image) {
        return ImageSpec.newBuilder().setImage(image).build();
    }

    private static String pull(CriClient client, String reference) {
        return client.images().pullImage(PullImageRequest.newBuilder().setImage(spec(reference)).build())
                .getImageRef();
    }

    private static ImageStatusResponse status(CriClient client, String reference) {
        return client.images().imageStatus(ImageStatusRequest.newBuilder().setImage(spec(reference)).build());
    }

    @Test
    void pulledImageIsKnownByTagIdAndPrefixWithOneIdentity(CriClient client) {
        PushedImage pushed = BusyboxImages.busybox(registry, "cri/busybox", "v1");
        String imageRef = pull(client, pushed.reference());
        assertEquals(pushed.imageId(), imageRef, "image_ref is the config digest");

        Image byTag = status(client, pushed.reference()).getImage();
        assertEquals(imageRef, byTag.getId());
        assertTrue(byTag.getRepoTagsList().contains(pushed.reference()), byTag.toString());
        assertTrue(byTag.getRepoDigestsList().contains(pushed.digestReference()), byTag.toString());
        assertTrue(byTag.getSize() > 0);
        assertEquals(imageRef, status(client, imageRef).getImage().getId());
        assertEquals(imageRef, status(client, imageRef.substring("sha256:".length(), 20)).getImage().getId());

        List<Image> listed = client.images().listImages(ListImagesRequest.getDefaultInstance()).getImagesList();
        assertTrue(listed.stream().anyMatch(i -> i.getId().equals(imageRef)));
        List<Image> filtered = client.images().listImages(ListImagesRequest.newBuilder()
                .setFilter(ImageFilter.newBuilder().setImage(spec(pushed.reference()))).build()).getImagesList();
        assertEquals(List.of(imageRef), filtered.stream().map(Image::getId).toList());
    }

    @Test
    void missingImageStatusIsEmptyNotAnError(CriClient client) {
        ImageStatusResponse response = status(client, registry.address() + "/cri/absent:v1");
        assertFalse(response.hasImage());
    }

    @Test
    void removeByTagRemovesTheImageAndIsIdempotent(CriClient client) {
        PushedImage pushed = BusyboxImages.busybox(registry, "cri/removable", "v1");
        String imageRef = pull(client, pushed.reference());
        RemoveImageRequest remove = RemoveImageRequest.newBuilder().setImage(spec(pushed.reference())).build();
        client.images().removeImage(remove);
        assertFalse(status(client, imageRef).hasImage());
        client.images().removeImage(remove);
        client.images().removeImage(RemoveImageRequest.newBuilder().setImage(spec(imageRef)).build());
    }

    @Test
    void malformedReferenceIsInvalidArgumentQuotingIt(CriClient client) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> pull(client, "UPPER/Case:bad tag"));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("UPPER/Case:bad tag"), e.getStatus().getDescription());
    }

    @Test
    void emptyImageIsInvalidArgumentNamingTheField(CriClient client) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> pull(client, ""));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("image.image"), e.getStatus().getDescription());
    }

    @Test
    void pullPastItsDeadlineStoresNothing(CriClient client) {
        PushedImage pushed = BusyboxImages.busybox(registry, "cri/deadline", "v1");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.images()
                .withDeadlineAfter(1, TimeUnit.MILLISECONDS)
                .pullImage(PullImageRequest.newBuilder().setImage(spec(pushed.reference())).build()));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        assertFalse(status(client, pushed.reference()).hasImage());
    }

    @Test
    void imageFsInfoDescribesTheLayerFilesystem(CriClient client) {
        pull(client, BusyboxImages.busybox(registry, "cri/fsinfo", "v1").reference());
        ImageFsInfoResponse info = client.images().imageFsInfo(ImageFsInfoRequest.getDefaultInstance());
        assertEquals(1, info.getImageFilesystemsCount());
        var fs = info.getImageFilesystems(0);
        assertTrue(fs.getTimestamp() > 1_600_000_000_000_000_000L, "nanoseconds since the epoch");
        assertTrue(fs.getFsId().getMountpoint().startsWith(berth.home().toString()), fs.toString());
        assertTrue(fs.getUsedBytes().getValue() > 0, fs.toString());
        assertTrue(fs.getInodesUsed().getValue() > 0, fs.toString());
    }
}
