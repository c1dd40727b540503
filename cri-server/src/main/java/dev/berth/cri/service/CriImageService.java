package dev.berth.cri.service;

import dev.berth.proto.runtime.v1.ImageServiceGrpc;

/** runtime.v1.ImageService: every RPC answers UNIMPLEMENTED (naming it) until the image store is wired in. */
public final class CriImageService extends ImageServiceGrpc.ImageServiceImplBase {
}
