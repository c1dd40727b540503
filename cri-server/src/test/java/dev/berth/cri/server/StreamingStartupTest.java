package dev.berth.cri.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.exec.Command;
import dev.berth.cri.BerthDaemon;
import dev.berth.cri.config.BerthConfig;
import dev.berth.cri.config.ConfigLoader;
import dev.berth.cri.testing.Leftovers;
import dev.berth.cri.testing.TestNetwork;
import dev.berth.proto.runtime.v1.ExecRequest;
import dev.berth.proto.runtime.v1.PortForwardRequest;
import dev.berth.testing.cri.CriClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The streaming server as part of the daemon: bound early, and its CRI calls wired. */
@Tag("host")
class StreamingStartupTest {

    private final TestNetwork network = TestNetwork.random();
    private Path home;

    @BeforeEach
    void makeHome() throws Exception {
        home = Files.createTempDirectory("berth-stream-");
    }

    @AfterEach
    void removeHome() {
        network.remove();
        Leftovers.removeDirectory(home);
    }

    private BerthConfig config(String streamingAddress) {
        return new ConfigLoader().parse("""
                [server]
                socket = "%s"
                [storage]
                root = "%s"
                state = "%s"
                [metrics]
                address = ""
                [streaming]
                address = "%s"
                %s
                """.formatted(home.resolve("berth.sock"), home.resolve("root"), home.resolve("state"),
                streamingAddress, network.toml(home.resolve("cni-conf").toString())), home.resolve("config.toml"));
    }

    @Test
    void aTakenStreamingPortStopsStartUpBeforeTheNetworkIsTouched() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            StartupException e = assertThrows(StartupException.class, () -> BerthDaemon.start(config(address)));
            assertTrue(e.getMessage().contains("cannot serve streaming on " + address), e.getMessage());
            assertTrue(e.getMessage().contains("streaming.address"), e.getMessage());
        }
        assertTrue(Command.of("ip", "link", "show", network.bridge()).run().exitCode() != 0,
                "the refused daemon made no bridge");
        assertTrue(Files.notExists(home.resolve("berth.sock")), "the refused daemon created no socket");
    }

    @Test
    void streamingCallsValidateThenAskTheRuntime() {
        try (BerthDaemon daemon = BerthDaemon.start(config("127.0.0.1:0"));
             CriClient client = CriClient.connect(daemon.socket())) {
            assertTrue(daemon.streamingAddress().getPort() > 0);
            StatusRuntimeException invalid = assertThrows(StatusRuntimeException.class,
                    () -> client.runtime().exec(ExecRequest.newBuilder().setContainerId("abc").addCmd("sh")
                            .setTty(true).setStderr(true).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode());
            StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                    () -> client.runtime().portForward(PortForwardRequest.getDefaultInstance()));
            assertEquals(Status.Code.INVALID_ARGUMENT, missing.getStatus().getCode());
            // A well-formed request for a container the runtime does not have gets no URL.
            StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                    () -> client.runtime().exec(ExecRequest.newBuilder().setContainerId("abc").addCmd("sh")
                            .setStdout(true).build()));
            assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        }
    }
}
