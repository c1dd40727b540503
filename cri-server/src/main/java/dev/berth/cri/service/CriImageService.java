package dev.berth.cri.service;

import dev.berth.cri.handler.ImageHandler;
import dev.berth.proto.runtime.v1.ImageFsInfoRequest;
import dev.berth.proto.runtime.v1.ImageFsInfoResponse;
import dev.berth.proto.runtime.v1.ImageServiceGrpc;
import dev.berth.proto.runtime.v1.ImageStatusRequest;
import dev.berth.proto.runtime.v1.ImageStatusResponse;
import dev.berth.proto.runtime.v1.ListImagesRequest;
import dev.berth.proto.runtime.v1.ListImagesResponse;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.PullImageResponse;
import dev.berth.proto.runtime.v1.RemoveImageRequest;
import dev.berth.proto.runtime.v1.RemoveImageResponse;
import dev.berth.proto.runtime.v1.StreamImagesRequest;
import dev.berth.proto.runtime.v1.StreamImagesResponse;
import io.grpc.stub.StreamObserver;

/** runtime.v1.ImageService: thin, every RPC handed to the image handler. */
public final class CriImageService extends ImageServiceGrpc.ImageServiceImplBase {

    private final ImageHandler images;

    public CriImageService(ImageHandler images) {
        this.images = images;
    }

    @Override
    public void listImages(ListImagesRequest request, StreamObserver<ListImagesResponse> observer) {
        Unary.answer(observer, () -> ListImagesResponse.newBuilder().addAllImages(images.list(request)).build());
    }

    @Override
    public void streamImages(StreamImagesRequest request, StreamObserver<StreamImagesResponse> observer) {
        ListImagesRequest.Builder list = ListImagesRequest.newBuilder();
        if (request.hasFilter()) {
            list.setFilter(request.getFilter());
        }
        Chunks.send(images.list(list.build()), page -> StreamImagesResponse.newBuilder().addAllImages(page).build(),
                observer);
    }

    @Override
    public void imageStatus(ImageStatusRequest request, StreamObserver<ImageStatusResponse> observer) {
        Unary.answer(observer, () -> images.status(request));
    }

    @Override
    public void pullImage(PullImageRequest request, StreamObserver<PullImageResponse> observer) {
        Unary.answer(observer, () -> images.pull(request));
    }

    @Override
    public void removeImage(RemoveImageRequest request, StreamObserver<RemoveImageResponse> observer) {
        Unary.answer(observer, () -> {
            images.remove(request);
            return RemoveImageResponse.getDefaultInstance();
        });
    }

    @Override
    public void imageFsInfo(ImageFsInfoRequest request, StreamObserver<ImageFsInfoResponse> observer) {
        Unary.answer(observer, images::fsInfo);
    }
}
