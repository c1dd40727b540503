package dev.berth.cri.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.proto.runtime.v1.VersionRequest;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Requests whose bytes or text are not what the API allows: INVALID_ARGUMENT, nothing made, the daemon serving. */
@Tag("host")
class MalformedRequestTest {

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create();

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static Status.Code callWithBytes(String method, byte[] request) {
        MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(method)
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                berth.client().channel(), descriptor, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                request));
        return e.getStatus().getCode();
    }

    private static int pods() {
        return berth.client().runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsCount();
    }

    @Test
    void truncatedProtobufIsInvalidArgument() {
        // Field 1 (config) announces 5 bytes and carries 1.
        assertEquals(Status.Code.INVALID_ARGUMENT, callWithBytes("runtime.v1.RuntimeService/RunPodSandbox",
                new byte[] {0x0a, 0x05, 0x01}));
        assertEquals(Status.Code.INVALID_ARGUMENT, callWithBytes("runtime.v1.ImageService/PullImage",
                new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
        assertEquals(0, pods());
        assertEquals("berth", berth.client().runtime().version(VersionRequest.getDefaultInstance())
                .getRuntimeName());
    }

    @Test
    void stringThatIsNotUtf8IsInvalidArgument() {
        // config { metadata { name: 0xff 0xfe } }: lengths 6, 4, 2.
        assertEquals(Status.Code.INVALID_ARGUMENT, callWithBytes("runtime.v1.RuntimeService/RunPodSandbox",
                new byte[] {0x0a, 0x06, 0x0a, 0x04, 0x0a, 0x02, (byte) 0xff, (byte) 0xfe}));
        assertEquals(0, pods());
    }

    @Test
    void nulInPodNameOrNamespaceIsInvalidArgumentAndMakesNoPod() {
        for (PodSandboxMetadata metadata : new PodSandboxMetadata[] {
                PodSandboxMetadata.newBuilder().setName("nul\0pod").setNamespace("default").setUid("u1").build(),
                PodSandboxMetadata.newBuilder().setName("pod").setNamespace("de\0fault").setUid("u2").build()}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                    .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(PodSandboxConfig.newBuilder()
                            .setMetadata(metadata)
                            .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent())))
                            .build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
            assertTrue(e.getStatus().getDescription().contains("config.metadata."), e.getMessage());
        }
        assertEquals(0, pods());
    }

    @Test
    void aRequestPast16MibIsRefusedByDefaultAndMakesNoPod() {
        // A pod config of 17 MiB (labels of 1 MiB each): containerd's limit too; no kubelet request comes near it.
        PodSandboxConfig.Builder config = PodSandboxConfig.newBuilder().setMetadata(PodSandboxMetadata.newBuilder()
                .setName("big").setNamespace("default").setUid("u3"))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent()));
        for (int i = 0; i < 17; i++) {
            config.putLabels("l" + i, "v".repeat(1 << 20));
        }
        try {
            String id = berth.client().runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config)
                    .build()).getPodSandboxId();
            // Accepted: a failure, but the pod (with its PID holder) must not outlive the test.
            berth.client().runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build());
            berth.client().runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id)
                    .build());
            fail("a 17 MiB RunPodSandbox was accepted");
        } catch (StatusRuntimeException e) {
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getMessage());
        }
        assertEquals(0, pods());
    }
}
