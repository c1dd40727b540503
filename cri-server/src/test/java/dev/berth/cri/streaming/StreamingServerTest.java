package dev.berth.cri.streaming;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testing.streaming.ChannelWebSocketClient;
import dev.berth.testing.streaming.HttpUpgrade;
import dev.berth.testing.streaming.SpdyClient;
import dev.berth.proto.runtime.v1.AttachRequest;
import dev.berth.proto.runtime.v1.ExecRequest;
import dev.berth.proto.runtime.v1.PortForwardRequest;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The streaming server against real host processes and loopback TCP, through clients that speak the wire. */
class StreamingServerTest {

    private static final String EXIT_3_STATUS = "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command "
            + "terminated with non-zero exit code: error executing command [sh -c echo out; echo err >&2; exit 3], "
            + "exit code 3\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\","
            + "\"message\":\"3\"}]}}";
    private static final String SUCCESS_STATUS = "{\"metadata\":{},\"status\":\"Success\"}";

    private final ProcessBackend backend = new ProcessBackend();
    private final AtomicLong clock = new AtomicLong();
    private final TokenCache tokens = new TokenCache(Duration.ofSeconds(60), clock::get);
    private StreamingServer server;
    private StreamingRequests requests;
    private EchoServer echo;

    @BeforeEach
    void start() throws IOException {
        startServer(Duration.ofHours(4));
        echo = new EchoServer();
    }

    private void startServer(Duration idle) {
        startServer(idle, Duration.ofSeconds(30));
    }

    private void startServer(Duration idle, Duration streamCreation) {
        StreamingPort port = StreamingPort.bind("127.0.0.1:0");
        server = StreamingServer.start(port, new StreamingSettings(idle, streamCreation), null, tokens, backend);
        requests = new StreamingRequests(backend, tokens, new StreamUrls(server.address(), false));
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        echo.close();
    }

    private String exec(boolean stdin, boolean stdout, boolean stderr, boolean tty, String... cmd) {
        return requests.exec(ExecRequest.newBuilder().setContainerId("c1").addAllCmd(List.of(cmd))
                .setStdin(stdin).setStdout(stdout).setStderr(stderr).setTty(tty).build()).getUrl();
    }

    private String portForward(int... ports) {
        PortForwardRequest.Builder request = PortForwardRequest.newBuilder().setPodSandboxId("s1");
        for (int port : ports) {
            request.addPort(port);
        }
        return requests.portForward(request.build()).getUrl();
    }

    private static Map<String, String> type(String streamType) {
        return Map.of("streamtype", streamType);
    }

    /** Waits until every server-side connection is closed. */
    private void awaitNoConnections() throws InterruptedException {
        for (Channel channel : server.connections()) {
            assertTrue(channel.closeFuture().await(30, TimeUnit.SECONDS), "server channel still open: " + channel);
        }
        assertEquals(0, server.openConnections());
    }

    // ---- exec over SPDY

    @Test
    void spdyV4ExecGivesStdoutStderrAndExitCodeAsStatus() throws Exception {
        String url = exec(false, true, true, false, "sh", "-c", "echo out; echo err >&2; exit 3");
        try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
            SpdyClient.Stream error = client.open(type("error"));
            SpdyClient.Stream stdout = client.open(type("stdout"));
            SpdyClient.Stream stderr = client.open(type("stderr"));
            assertEquals("out\n", stdout.readAll());
            assertEquals("err\n", stderr.readAll());
            assertEquals(EXIT_3_STATUS, error.readAll());
            assertTrue(client.awaitServerClose());
        }
        assertEquals(1, backend.sessionsClosed.get());
        awaitNoConnections();
    }

    @Test
    void spdyV4SuccessIsAStatusToo() throws Exception {
        String url = exec(false, true, false, false, "true");
        try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
            SpdyClient.Stream error = client.open(type("error"));
            SpdyClient.Stream stdout = client.open(type("stdout"));
            assertEquals("", stdout.readAll());
            assertEquals(SUCCESS_STATUS, error.readAll());
        }
    }

    @Test
    void olderSpdyProtocolsGetPlainTextErrorsAndTheClientsFirstChoiceWins() throws Exception {
        String url = exec(false, true, false, false, "sh", "-c", "exit 3");
        // The client prefers v2; the server speaks v4 too but takes the client's order.
        try (SpdyClient client = SpdyClient.connect(url, "v2.channel.k8s.io", "v4.channel.k8s.io")) {
            SpdyClient.Stream error = client.open(type("error"));
            SpdyClient.Stream stdout = client.open(type("stdout"));
            assertEquals("", stdout.readAll());
            assertEquals("command terminated with non-zero exit code: error executing command [sh -c exit 3], "
                    + "exit code 3", error.readAll());
        }
    }

    @Test
    void spdyCatEndsWhenTheClientClosesStdin() throws Exception {
        String url = exec(true, true, false, false, "cat");
        try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
            SpdyClient.Stream error = client.open(type("error"));
            SpdyClient.Stream stdin = client.open(type("stdin"));
            SpdyClient.Stream stdout = client.open(type("stdout"));
            stdin.write("hello\n");
            assertEquals("hello\n", stdout.awaitBytes(6));
            stdin.write("world\n");
            stdin.close();
            assertEquals("hello\nworld\n", stdout.readAll());
            assertEquals(SUCCESS_STATUS, error.readAll());
        }
    }

    @Test
    void spdyResizeMessagesReachTheSession() throws Exception {
        String url = exec(true, true, false, true, "cat");
        try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
            SpdyClient.Stream error = client.open(type("error"));
            SpdyClient.Stream stdin = client.open(type("stdin"));
            SpdyClient.Stream stdout = client.open(type("stdout"));
            SpdyClient.Stream resize = client.open(type("resize"));
            // Once the session runs (cat echoes), every size reaches it; before, only the latest would.
            stdin.write("ready\n");
            assertEquals("ready\n", stdout.awaitBytes(6));
            // Two messages, the second split across frames, as a JSON encoder's output may arrive.
            resize.write("{\"Width\":120,\"Height\":40}\n{\"Width\":");
            resize.write("80,\"Height\":24}\n");
            assertEquals("120x40", backend.resizes.poll(30, TimeUnit.SECONDS));
            assertEquals("80x24", backend.resizes.poll(30, TimeUnit.SECONDS));
            stdin.close();
            assertEquals("ready\n", stdout.readAll());
            assertEquals(SUCCESS_STATUS, error.readAll());
        }
    }

    @Test
    void attachOverSpdyEchoesAndDetaches() throws Exception {
        String url = requests.attach(AttachRequest.newBuilder().setContainerId("c1").setStdin(true)
                .setStdout(true).build()).getUrl();
        try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
            SpdyClient.Stream error = client.open(type("error"));
            SpdyClient.Stream stdin = client.open(type("stdin"));
            SpdyClient.Stream stdout = client.open(type("stdout"));
            stdin.write("ping\n");
            assertEquals("ping\n", stdout.awaitBytes(5));
        }
        assertEquals("cat", backend.closes.poll(30, TimeUnit.SECONDS));
        awaitNoConnections();
    }

    // ---- exec over WebSocket

    @Test
    void webSocketV5ExecGivesChannelsAndExitCodeAsStatus() throws Exception {
        String url = exec(false, true, true, false, "sh", "-c", "echo out; echo err >&2; exit 3");
        try (ChannelWebSocketClient client = ChannelWebSocketClient.connect(url, "v5.channel.k8s.io",
                "v4.channel.k8s.io")) {
            assertEquals("v5.channel.k8s.io", client.protocol());
            assertTrue(client.awaitClosed());
            assertTrue(client.receivedCloseFrame());
            // The first message is an empty one on stdout: the stream is live.
            assertArrayEquals(new byte[0], client.messages(1).get(0));
            assertEquals("out\n", client.text(1));
            assertEquals("err\n", client.text(2));
            assertEquals(EXIT_3_STATUS, client.text(3));
        }
        assertEquals(1, backend.sessionsClosed.get());
        awaitNoConnections();
    }

    @Test
    void webSocketV5CatEndsOnTheCloseSignalForStdin() throws Exception {
        String url = exec(true, true, false, false, "cat");
        try (ChannelWebSocketClient client = ChannelWebSocketClient.connect(url, "v5.channel.k8s.io")) {
            client.send(0, "hello\n");
            assertEquals("hello\n", client.awaitText(1, "hello\n"));
            client.closeChannel(0);
            assertTrue(client.awaitClosed());
            assertEquals(SUCCESS_STATUS, client.text(3));
        }
    }

    @Test
    void webSocketResizeReachesTheSession() throws Exception {
        String url = exec(true, true, false, true, "cat");
        try (ChannelWebSocketClient client = ChannelWebSocketClient.connect(url, "v4.channel.k8s.io")) {
            client.send(0, "ready\n");
            client.awaitText(1, "ready\n");
            client.send(4, "{\"Width\":100,\"Height\":30}");
            assertEquals("100x30", backend.resizes.poll(30, TimeUnit.SECONDS));
        }
        assertEquals("cat", backend.closes.poll(30, TimeUnit.SECONDS));
    }

    @Test
    void webSocketBase64VariantEncodesChannelsAsDigits() throws Exception {
        String url = exec(false, true, false, false, "echo", "hi");
        try (ChannelWebSocketClient client = ChannelWebSocketClient.connect(url, "v4.base64.channel.k8s.io")) {
            assertTrue(client.awaitClosed());
            assertEquals("hi\n", client.text(1));
            assertEquals(SUCCESS_STATUS, client.text(3));
        }
    }

    // ---- port-forward

    @Test
    void spdyPortForwardCarriesTwoConnectionsAtOnce() throws Exception {
        String url = portForward();
        try (SpdyClient client = SpdyClient.connect(url, "portforward.k8s.io")) {
            String port = Integer.toString(echo.port());
            SpdyClient.Stream error1 = client.open(Map.of("streamtype", "error", "port", port, "requestid", "1"));
            SpdyClient.Stream data1 = client.open(Map.of("streamtype", "data", "port", port, "requestid", "1"));
            SpdyClient.Stream error2 = client.open(Map.of("streamtype", "error", "port", port, "requestid", "2"));
            SpdyClient.Stream data2 = client.open(Map.of("streamtype", "data", "port", port, "requestid", "2"));
            data1.write("first ");
            data2.write("second ");
            assertEquals("first ", data1.awaitBytes(6));
            assertEquals("second ", data2.awaitBytes(7));
            data1.write("one");
            data1.close();
            data2.write("two");
            data2.close();
            assertEquals("first one", data1.readAll());
            assertEquals("second two", data2.readAll());
            assertEquals("", error1.readAll());
            assertEquals("", error2.readAll());
        }
        assertEquals(2, backend.connectionsOpened.get());
        assertEquals(echo.port(), backend.connectionCloses.poll(30, TimeUnit.SECONDS));
        assertEquals(echo.port(), backend.connectionCloses.poll(30, TimeUnit.SECONDS));
        awaitNoConnections();
    }

    @Test
    void spdyPortForwardToAClosedPortReportsAnErrorInsteadOfHanging() throws Exception {
        String url = portForward();
        int closed = EchoServer.closedPort();
        try (SpdyClient client = SpdyClient.connect(url, "portforward.k8s.io")) {
            String port = Integer.toString(closed);
            SpdyClient.Stream error = client.open(Map.of("streamtype", "error", "port", port, "requestid", "0"));
            SpdyClient.Stream data = client.open(Map.of("streamtype", "data", "port", port, "requestid", "0"));
            String message = error.readAll();
            assertTrue(message.startsWith("error forwarding port " + closed + " to pod s1, uid : "), message);
            assertTrue(message.contains("Connection refused"), message);
            assertEquals("", data.readAll());
            // The connection stays usable: a second request to a live port works.
            String live = Integer.toString(echo.port());
            SpdyClient.Stream error2 = client.open(Map.of("streamtype", "error", "port", live, "requestid", "1"));
            SpdyClient.Stream data2 = client.open(Map.of("streamtype", "data", "port", live, "requestid", "1"));
            data2.write("still here");
            data2.close();
            assertEquals("still here", data2.readAll());
            assertEquals("", error2.readAll());
        }
    }

    @Test
    void spdyPortForwardRefusesStreamsWithoutAPort() throws Exception {
        try (SpdyClient client = SpdyClient.connect(portForward(), "portforward.k8s.io")) {
            SpdyClient.Stream stream = client.open(Map.of("streamtype", "data", "requestid", "1"));
            assertTrue(!stream.awaitReply() && stream.wasReset());
        }
    }

    @Test
    void webSocketPortForwardPrefixesEachChannelWithItsPort() throws Exception {
        int closed = EchoServer.closedPort();
        String url = portForward() + "?ports=" + echo.port() + "," + closed;
        try (ChannelWebSocketClient client = ChannelWebSocketClient.connect(url, "v4.channel.k8s.io")) {
            byte[] live = {(byte) echo.port(), (byte) (echo.port() >>> 8)};
            byte[] dead = {(byte) closed, (byte) (closed >>> 8)};
            String error = client.awaitText(3, "Connection refused");
            assertArrayEquals(live, client.messages(0).get(0));
            assertArrayEquals(live, client.messages(1).get(0));
            assertArrayEquals(dead, client.messages(2).get(0));
            assertArrayEquals(dead, client.messages(3).get(0));
            assertTrue(error.contains("error forwarding port " + closed + " to pod s1"), error);
            client.send(0, "echo me");
            assertTrue(client.awaitText(0, "echo me").endsWith("echo me"));
        }
        // The client left with the live connection open: the server closes it.
        assertEquals(echo.port(), backend.connectionCloses.poll(30, TimeUnit.SECONDS));
        awaitNoConnections();
        assertEquals(1, backend.connectionsClosed.get());
    }

    @Test
    void webSocketPortForwardUsesTheRequestsPortsWithoutAQuery() throws Exception {
        try (ChannelWebSocketClient client = ChannelWebSocketClient.connect(portForward(echo.port()),
                "v4.channel.k8s.io")) {
            client.send(0, "abc");
            assertTrue(client.awaitText(0, "abc").endsWith("abc"));
        }
    }

    // ---- tokens

    @Test
    void unknownUsedExpiredAndMismatchedTokensAre404() throws Exception {
        String base = "http://127.0.0.1:" + server.address().getPort();
        assertEquals(404, spdyStatus(base + "/exec/AAAAAAAAAAAAAAAAAAAAAAAA", "v4.channel.k8s.io"));

        String used = exec(false, true, false, false, "true");
        try (SpdyClient client = SpdyClient.connect(used, "v4.channel.k8s.io")) {
            SpdyClient.Stream error = client.open(type("error"));
            client.open(type("stdout"));
            assertEquals(SUCCESS_STATUS, error.readAll());
        }
        assertEquals(404, spdyStatus(used, "v4.channel.k8s.io"));

        String expired = exec(false, true, false, false, "true");
        clock.addAndGet(Duration.ofSeconds(61).toNanos());
        assertEquals(404, spdyStatus(expired, "v4.channel.k8s.io"));

        String execToken = exec(false, true, false, false, "true");
        assertEquals(404, spdyStatus(execToken.replace("/exec/", "/attach/"), "v4.channel.k8s.io"));
        assertEquals(0, backend.sessionsOpened.get() - 1);
        awaitNoConnections();
    }

    // ---- negotiation failures

    @Test
    void badUpgradesGetTheErrorsKubernetesClientsExpectAndLeakNothing() throws Exception {
        HttpUpgrade.Response none = request(exec(false, true, false, false, "true"), List.of());
        assertEquals(400, none.status());
        assertTrue(none.body().contains("X-Stream-Protocol-Version is required"), none.body());

        HttpUpgrade.Response unknown = request(exec(false, true, false, false, "true"), List.of(
                new String[] {"Connection", "Upgrade"}, new String[] {"Upgrade", "SPDY/3.1"},
                new String[] {"X-Stream-Protocol-Version", "v9.channel.k8s.io"}));
        assertEquals(403, unknown.status());
        assertEquals(List.of("v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"),
                unknown.headers().get("x-accepted-stream-protocol-versions"));
        assertTrue(unknown.body().contains("unable to negotiate protocol"), unknown.body());

        HttpUpgrade.Response noUpgrade = request(exec(false, true, false, false, "true"), List.<String[]>of(
                new String[] {"X-Stream-Protocol-Version", "v4.channel.k8s.io"}));
        assertEquals(400, noUpgrade.status());
        assertTrue(noUpgrade.body().contains("missing upgrade headers"), noUpgrade.body());

        ChannelWebSocketClient.RefusedException ws = assertThrows(ChannelWebSocketClient.RefusedException.class,
                () -> ChannelWebSocketClient.connect(exec(false, true, false, false, "true"), "v9.channel.k8s.io"));
        assertEquals(403, ws.response().status());
        assertTrue(ws.response().body().contains("v5.channel.k8s.io"), ws.response().body());

        HttpUpgrade.Response wsPortForward = request(portForward() + "?ports=x", List.of(
                new String[] {"Connection", "Upgrade"}, new String[] {"Upgrade", "websocket"},
                new String[] {"Sec-WebSocket-Version", "13"}, new String[] {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                new String[] {"Sec-WebSocket-Protocol", "v4.channel.k8s.io"}));
        assertEquals(400, wsPortForward.status());

        assertEquals(0, backend.sessionsOpened.get());
        assertEquals(0, backend.connectionsOpened.get());
        awaitNoConnections();
    }

    // ---- clients that vanish

    @Test
    void fiftyClientsThatVanishMidStreamLeaveNoSessionAndNoConnection() throws Exception {
        List<AutoCloseable> clients = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String url = exec(true, true, false, false, "sh", "-c", "echo started; exec cat");
            if (i % 2 == 0) {
                SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io");
                client.open(type("error"));
                client.open(type("stdin"));
                SpdyClient.Stream stdout = client.open(type("stdout"));
                assertEquals("started\n", stdout.awaitBytes(8));
                clients.add(client);
            } else {
                ChannelWebSocketClient client = ChannelWebSocketClient.connect(url, "v5.channel.k8s.io");
                assertEquals("started\n", client.awaitText(1, "started\n"));
                clients.add(client);
            }
        }
        assertEquals(50, backend.sessionsOpened.get());
        assertEquals(0, backend.sessionsClosed.get());
        for (AutoCloseable client : clients) {
            client.close();
        }
        for (int i = 0; i < 50; i++) {
            assertNotNull(backend.closes.poll(30, TimeUnit.SECONDS), "sessions closed: " + i);
        }
        assertEquals(50, backend.sessionsClosed.get());
        awaitNoConnections();
        assertEquals(0, tokens.pendingCount(), "tokens left");
    }

    @Test
    void idleStreamsAreClosed() throws Exception {
        server.close();
        startServer(Duration.ofMillis(300));
        String url = exec(true, true, false, false, "cat");
        try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
            client.open(type("error"));
            client.open(type("stdin"));
            client.open(type("stdout"));
            assertTrue(client.awaitServerClose());
        }
        assertEquals("cat", backend.closes.poll(30, TimeUnit.SECONDS));
    }

    @Test
    void aSpdyClientThatNeverOpensItsStreamsIsDisconnectedWithoutASession() throws Exception {
        server.close();
        startServer(Duration.ofHours(4), Duration.ofMillis(300));
        String url = exec(true, true, false, false, "cat");
        try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
            client.open(type("error"));
            client.open(type("stdout"));
            // No stdin stream: the session cannot start.
            assertTrue(client.awaitServerClose());
        }
        awaitNoConnections();
        assertEquals(0, backend.sessionsOpened.get());
    }

    private static int spdyStatus(String url, String protocol) throws IOException {
        return request(url, List.of(new String[] {"Connection", "Upgrade"}, new String[] {"Upgrade", "SPDY/3.1"},
                new String[] {"X-Stream-Protocol-Version", protocol})).status();
    }

    private static HttpUpgrade.Response request(String url, List<String[]> headers) throws IOException {
        try (Socket socket = HttpUpgrade.connect(url)) {
            HttpUpgrade.send(socket, url, headers);
            return HttpUpgrade.read(socket);
        }
    }
}
