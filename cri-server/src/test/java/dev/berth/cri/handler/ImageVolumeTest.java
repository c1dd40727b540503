package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.Leftovers;
import dev.berth.proto.runtime.v1.ExecSyncResponse;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.ListImagesRequest;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemoveImageRequest;
import dev.berth.testing.image.Compression;
import dev.berth.testing.image.ImageBuilder;
import dev.berth.testing.image.LayerBuilder;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Image volumes ({@code Mount.image}): an image of data files (its own layer, shared with nothing else) mounted
 * read-only into a busybox container, whole or by sub path; refused requests; and the image's layer kept on the node
 * while a container mounts it, even after RemoveImage, and gone once that container is removed.
 */
@Tag("host")
class ImageVolumeTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static TestPod pod;
    static PushedImage data;

    @BeforeAll
    static void pullAndRunPod() {
        PushedImage busybox = berth.pullBusybox(registry, "imgvol/busybox");
        pod = TestPod.run(berth, busybox.imageId(), "imgvol", false);
        data = ImageBuilder.create().layer(LayerBuilder.create()
                .directory("data", 0755)
                .file("data/hello", "from the image\n", 0644)
                .symlink("escape", "/etc")
                .build(Compression.GZIP)).push(registry, "imgvol/data", "v1");
    }

    @AfterAll
    static void removePodAndCheckLeftovers() {
        pod.close();
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void theImageIsMountedReadOnlyWholeOrBySubPathAndStatusNamesItsId() throws Exception {
        pull(data);
        String id = pod.run(pod.container("reader")
                .addMounts(Mount.newBuilder().setContainerPath("/vol").setReadonly(true)
                        .setImage(ImageSpec.newBuilder().setImage(data.reference())))
                .addMounts(Mount.newBuilder().setContainerPath("/sub").setReadonly(true)
                        .setImage(ImageSpec.newBuilder().setImage(data.reference())).setImageSubPath("data")));
        try {
            assertEquals("from the image\n", pod.exec(id, "cat", "/vol/data/hello"));
            assertEquals("from the image\n", pod.exec(id, "cat", "/sub/hello"));
            ExecSyncResponse write = pod.execSync(id, "touch", "/vol/data/written");
            assertNotEquals(0, write.getExitCode());
            assertTrue(write.getStderr().toStringUtf8().contains("Read-only file system"),
                    write.getStderr().toStringUtf8());
            List<Mount> mounts = pod.status(id).getMountsList();
            assertEquals(data.imageId(), mounts.get(0).getImage().getImage());
            assertEquals("", mounts.get(0).getHostPath());
            assertEquals(data.imageId(), mounts.get(1).getImage().getImage());
            assertEquals("data", mounts.get(1).getImageSubPath());
        } finally {
            pod.remove(id);
        }
        assertEquals(List.of(), volumeMounts(), "image volume mounts left behind");
    }

    @Test
    void removingTheImageKeepsItsLayerUntilTheContainerMountingItIsRemoved() throws Exception {
        // Another test may have pulled it already; nothing else holds it between tests.
        berth.client().images().removeImage(RemoveImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(data.imageId())).build());
        List<Path> before = layerDirs();
        pull(data);
        List<Path> withData = layerDirs();
        assertEquals(before.size() + 1, withData.size(), "the data image brings one layer of its own");
        String id = pod.run(pod.container("holder").addMounts(Mount.newBuilder().setContainerPath("/vol")
                .setReadonly(true).setImage(ImageSpec.newBuilder().setImage(data.imageId()))));
        try {
            berth.client().images().removeImage(RemoveImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(data.imageId())).build());
            assertTrue(berth.client().images().listImages(ListImagesRequest.getDefaultInstance()).getImagesList()
                    .stream().noneMatch(image -> image.getId().equals(data.imageId())), "the image is still listed");
            assertEquals(withData, layerDirs(), "the mounted image's layer went with the image");
            assertEquals("from the image\n", pod.exec(id, "cat", "/vol/data/hello"));
        } finally {
            pod.remove(id);
        }
        assertEquals(before, layerDirs(), "the layer stayed after its last user went");
        assertEquals(List.of(), volumeMounts());
    }

    @Test
    void badImageVolumesAreRefusedAndLeaveNothing() throws Exception {
        pull(data);
        int containers = containerCount();
        refused(Status.Code.INVALID_ARGUMENT, "does not exist in image", volume().setImageSubPath("nope"));
        refused(Status.Code.INVALID_ARGUMENT, "leads out of image", volume().setImageSubPath("escape"));
        refused(Status.Code.INVALID_ARGUMENT, "must stay inside the image", volume().setImageSubPath("data/../.."));
        refused(Status.Code.INVALID_ARGUMENT, "must be relative", volume().setImageSubPath("/data"));
        refused(Status.Code.INVALID_ARGUMENT, "image volumes are read-only", volume().setReadonly(false));
        String absent = registry.address() + "/imgvol/absent:v1";
        refused(Status.Code.NOT_FOUND, absent, volume().setImage(ImageSpec.newBuilder().setImage(absent)));
        assertEquals(containers, containerCount());
        assertEquals(List.of(), volumeMounts());
    }

    private static Mount.Builder volume() {
        return Mount.newBuilder().setContainerPath("/vol").setReadonly(true)
                .setImage(ImageSpec.newBuilder().setImage(data.reference()));
    }

    private static void refused(Status.Code code, String message, Mount.Builder mount) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> pod.create(pod.container("refused").addMounts(mount)));
        assertEquals(code, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains(message), e.getStatus().getDescription());
    }

    private static void pull(PushedImage image) {
        berth.client().images().pullImage(PullImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(image.reference())).build());
    }

    private static int containerCount() {
        return berth.client().runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersCount();
    }

    /** Mounts of image volumes (rootfs IDs {@code <container>.image-<n>}) under the image store. */
    private static List<Path> volumeMounts() {
        return Leftovers.mountsUnder(berth.home().resolve("root")).stream()
                .filter(point -> point.toString().contains(".image-")).toList();
    }

    /** The unpacked layer directories of the image store. */
    private static List<Path> layerDirs() throws IOException {
        Path overlay = berth.home().resolve("root").resolve("overlay2");
        try (Stream<Path> dirs = Files.list(overlay)) {
            return dirs.filter(dir -> Files.isDirectory(dir.resolve("diff"))).sorted().toList();
        }
    }
}
