package dev.berth.cri.service;

import dev.berth.proto.runtime.v1.RuntimeConfigRequest;
import dev.berth.proto.runtime.v1.RuntimeConfigResponse;
import dev.berth.proto.runtime.v1.RuntimeServiceGrpc;
import dev.berth.proto.runtime.v1.StatusRequest;
import dev.berth.proto.runtime.v1.StatusResponse;
import dev.berth.proto.runtime.v1.UpdateRuntimeConfigRequest;
import dev.berth.proto.runtime.v1.UpdateRuntimeConfigResponse;
import dev.berth.proto.runtime.v1.VersionRequest;
import dev.berth.proto.runtime.v1.VersionResponse;
import io.grpc.stub.StreamObserver;

/**
 * runtime.v1.RuntimeService: thin, each RPC handed to the handler for its family. RPCs not overridden here answer
 * UNIMPLEMENTED with the method's full name (grpc-java's base class does that).
 */
public final class CriRuntimeService extends RuntimeServiceGrpc.RuntimeServiceImplBase {

    private final RuntimeInfoHandler info;

    public CriRuntimeService(RuntimeInfoHandler info) {
        this.info = info;
    }

    @Override
    public void version(VersionRequest request, StreamObserver<VersionResponse> observer) {
        Unary.answer(observer, () -> info.version(request));
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
        Unary.answer(observer, () -> info.status(request));
    }

    @Override
    public void runtimeConfig(RuntimeConfigRequest request, StreamObserver<RuntimeConfigResponse> observer) {
        Unary.answer(observer, info::runtimeConfig);
    }

    @Override
    public void updateRuntimeConfig(UpdateRuntimeConfigRequest request,
                                    StreamObserver<UpdateRuntimeConfigResponse> observer) {
        Unary.answer(observer, () -> {
            info.updateRuntimeConfig(request);
            return UpdateRuntimeConfigResponse.getDefaultInstance();
        });
    }
}
