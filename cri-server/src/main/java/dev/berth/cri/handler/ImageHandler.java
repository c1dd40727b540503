package dev.berth.cri.handler;

import dev.berth.common.error.BerthException;
import dev.berth.cri.metrics.PullMetrics;
import dev.berth.cri.server.VerboseInfo;
import dev.berth.image.FsUsage;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageStore;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.pull.PullCancellation;
import dev.berth.proto.runtime.v1.AuthConfig;
import dev.berth.proto.runtime.v1.FilesystemIdentifier;
import dev.berth.proto.runtime.v1.FilesystemUsage;
import dev.berth.proto.runtime.v1.Image;
import dev.berth.proto.runtime.v1.ImageFsInfoResponse;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.ImageStatusRequest;
import dev.berth.proto.runtime.v1.ImageStatusResponse;
import dev.berth.proto.runtime.v1.ListImagesRequest;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.PullImageResponse;
import dev.berth.proto.runtime.v1.RemoveImageRequest;
import dev.berth.proto.runtime.v1.UInt64Value;
import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** PullImage, ImageStatus, ListImages, RemoveImage, ImageFsInfo: validation and mapping around the image store. */
public final class ImageHandler {

    // Far enough to never fire, near enough for deadline arithmetic in nanoseconds not to overflow.
    private static final Duration NO_DEADLINE = Duration.ofDays(365);

    private final ImageStore store;
    private final PullMetrics metrics;

    public ImageHandler(ImageStore store, PullMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    public PullImageResponse pull(PullImageRequest request) {
        String reference = requiredImage(request.getImage(), "image.image");
        // A client that goes away (the kubelet restarting, crictl interrupted) stops the download too, instead of
        // leaving it to run until the deadline or the progress timeout.
        PullCancellation cancellation = new PullCancellation();
        Context.CancellationListener listener = context -> cancellation.cancel("the client went away");
        Context call = Context.current();
        call.addListener(listener, Runnable::run);
        try {
            ImageRecord image = metrics.record(
                    () -> store.pull(reference, credentials(request.getAuth()), deadline(), cancellation));
            return PullImageResponse.newBuilder().setImageRef(image.id()).build();
        } finally {
            call.removeListener(listener);
        }
    }

    public ImageStatusResponse status(ImageStatusRequest request) {
        String reference = requiredImage(request.getImage(), "image.image");
        ImageStatusResponse.Builder response = ImageStatusResponse.newBuilder();
        // A missing image is not an error: the kubelet reads an unset image as "pull it".
        store.find(reference).ifPresent(image -> {
            response.setImage(ImageMessages.image(image));
            if (request.getVerbose()) {
                response.putInfo("info", verboseInfo(image));
            }
        });
        return response.build();
    }

    public List<Image> list(ListImagesRequest request) {
        String filter = request.hasFilter() ? request.getFilter().getImage().getImage() : "";
        if (!filter.isEmpty()) {
            return store.find(filter).map(ImageMessages::image).map(List::of).orElse(List.of());
        }
        return store.list().stream().map(ImageMessages::image).toList();
    }

    public void remove(RemoveImageRequest request) {
        store.remove(requiredImage(request.getImage(), "image.image"));
    }

    public ImageFsInfoResponse fsInfo() {
        FsUsage usage = store.fsUsage();
        FilesystemUsage filesystem = FilesystemUsage.newBuilder()
                .setTimestamp(usage.timestampNanos())
                .setFsId(FilesystemIdentifier.newBuilder().setMountpoint(usage.mountpoint().toString()))
                .setUsedBytes(UInt64Value.newBuilder().setValue(usage.usedBytes()))
                .setInodesUsed(UInt64Value.newBuilder().setValue(usage.inodesUsed()))
                .build();
        // Container writable layers live on the same filesystem as the image layers.
        return ImageFsInfoResponse.newBuilder()
                .addImageFilesystems(filesystem)
                .addContainerFilesystems(filesystem)
                .build();
    }

    private static String requiredImage(ImageSpec spec, String field) {
        String image = spec.getImage().strip();
        if (image.isEmpty()) {
            throw BerthException.invalidArgument(field + " is required");
        }
        return image;
    }

    private static RegistryCredentials credentials(AuthConfig auth) {
        return new RegistryCredentials(auth.getUsername(), auth.getPassword(), auth.getAuth(),
                auth.getIdentityToken(), auth.getRegistryToken());
    }

    /** The caller's gRPC deadline; a pull without one still ends through the store's progress timeout. */
    private static Instant deadline() {
        Deadline deadline = Context.current().getDeadline();
        if (deadline == null) {
            return Instant.now().plus(NO_DEADLINE);
        }
        return Instant.now().plusNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS));
    }

    private static String verboseInfo(ImageRecord image) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("id", image.id());
        info.put("manifestDigest", image.manifestDigest());
        info.put("mediaType", image.mediaType());
        info.put("diffIds", image.diffIds());
        info.put("chainIds", image.chainIds());
        info.put("createdAt", image.createdAt().toString());
        info.put("config", image.config());
        return VerboseInfo.json(info);
    }
}
