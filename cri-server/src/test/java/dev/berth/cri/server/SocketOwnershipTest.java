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
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.proto.runtime.v1.VersionRequest;
import dev.berth.testing.cri.CriClient;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("host")
class SocketOwnershipTest {

    private final TestNetwork network = TestNetwork.random();
    private Path home;

    @BeforeEach
    void makeHome() throws Exception {
        home = Files.createTempDirectory("berth-sock-");
    }

    @AfterEach
    void removeHome() {
        network.remove();
        // The namespace-pin directory stays mounted after a daemon stops, as on a node.
        Leftovers.removeDirectory(home);
    }

    private BerthConfig config(String stateName, String socketName) {
        return new ConfigLoader().parse("""
                [server]
                socket = "%s"
                [storage]
                root = "%s"
                state = "%s"
                [metrics]
                address = ""
                %s
                """.formatted(home.resolve(socketName), home.resolve(stateName + "-root"), home.resolve(stateName),
                network.toml(home.resolve("cni-conf").toString())), home.resolve("config.toml"));
    }

    @Test
    void secondDaemonOnTheSameSocketRefusesAndLeavesTheFirstServing() {
        try (BerthDaemon first = BerthDaemon.start(config("a", "berth.sock"))) {
            StartupException e = assertThrows(StartupException.class,
                    () -> BerthDaemon.start(config("b", "berth.sock")));
            assertTrue(e.getMessage().contains("another berth (pid " + ProcessHandle.current().pid() + ")"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("berth.sock"), e.getMessage());
            try (CriClient client = CriClient.connect(first.socket())) {
                assertEquals("berth", client.runtime().version(VersionRequest.getDefaultInstance()).getRuntimeName());
            }
        }
    }

    @Test
    void secondDaemonOnTheSameStateDirectoryRefuses() {
        try (BerthDaemon first = BerthDaemon.start(config("a", "one.sock"))) {
            StartupException e = assertThrows(StartupException.class,
                    () -> BerthDaemon.start(config("a", "two.sock")));
            assertTrue(e.getMessage().contains("state directory"), e.getMessage());
            assertTrue(Files.exists(first.socket()));
        }
        assertTrue(Files.notExists(home.resolve("two.sock")), "the refused daemon created no socket");
    }

    @Test
    void secondDaemonOnTheSameBridgeRefusesAndLeavesTheFirstsPodNetworkAlone() throws Exception {
        String cgroupParent = "/berth-test-" + Long.toHexString(System.nanoTime());
        try (BerthDaemon first = BerthDaemon.start(config("a", "one.sock"));
             CriClient client = CriClient.connect(first.socket())) {
            String podId = client.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(
                    PodSandboxConfig.newBuilder()
                            .setMetadata(PodSandboxMetadata.newBuilder().setName("owned").setNamespace("default")
                                    .setUid("bridge-owner"))
                            .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(cgroupParent))).build())
                    .getPodSandboxId();
            try {
                String portsBefore = bridgePorts();
                assertTrue(!portsBefore.isBlank(), "the pod's veth is on the bridge");
                StartupException e = assertThrows(StartupException.class,
                        () -> BerthDaemon.start(config("b", "two.sock")));
                assertTrue(e.getMessage().contains("bridge " + network.bridge()), e.getMessage());
                assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
                assertTrue(Files.notExists(home.resolve("two.sock")), "the refused daemon created no socket");
                assertEquals(portsBefore, bridgePorts(), "the first daemon's pod veth was touched");
            } finally {
                client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
                client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId)
                        .build());
            }
        } finally {
            Leftovers.removeCgroupParent(cgroupParent);
        }
    }

    /** The links enslaved to this test's bridge, as {@code ip} lists them. */
    private String bridgePorts() {
        return Command.of("ip", "-o", "link", "show", "master", network.bridge()).run().stdoutText();
    }

    @Test
    void staleSocketFromADeadDaemonIsReplaced() throws Exception {
        Path socket = home.resolve("berth.sock");
        // A socket file that nobody listens on any more, as a killed daemon leaves it.
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        try (BerthDaemon daemon = BerthDaemon.start(config("a", "berth.sock"));
             CriClient client = CriClient.connect(daemon.socket())) {
            assertEquals("berth", client.runtime().version(VersionRequest.getDefaultInstance()).getRuntimeName());
        }
        assertTrue(Files.notExists(socket), "a clean stop removes the socket");
    }

    @Test
    void aRegularFileAtTheSocketPathIsNeverDeleted() throws Exception {
        Path socket = home.resolve("berth.sock");
        Files.writeString(socket, "precious");
        StartupException e = assertThrows(StartupException.class, () -> BerthDaemon.start(config("a", "berth.sock")));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("precious", Files.readString(socket));
    }

    @Test
    void aLiveForeignListenerIsNotTakenOver() throws Exception {
        Path socket = home.resolve("berth.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(socket));
            StartupException e = assertThrows(StartupException.class,
                    () -> BerthDaemon.start(config("a", "berth.sock")));
            assertTrue(e.getMessage().contains("live process"), e.getMessage());
            assertTrue(Files.exists(socket));
        }
    }
}
