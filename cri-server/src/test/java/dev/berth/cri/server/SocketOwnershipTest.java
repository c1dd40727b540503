package dev.berth.cri.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.fs.Trees;
import dev.berth.cri.BerthDaemon;
import dev.berth.cri.config.BerthConfig;
import dev.berth.cri.config.ConfigLoader;
import dev.berth.cri.testing.CriClient;
import dev.berth.cri.testing.TestNetwork;
import dev.berth.proto.runtime.v1.VersionRequest;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
        Trees.deleteRecursively(home);
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
