package dev.berth.cri.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.exec.Command;
import dev.berth.cri.server.StartupException;
import dev.berth.testing.streaming.SpdyClient;
import dev.berth.proto.runtime.v1.ExecRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming server with [streaming] tls_cert_file / tls_key_file: https URLs, streams inside TLS. */
class StreamingTlsTest {

    @Test
    void execOverTls(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        // OpenSSL 3 writes the key as unencrypted PKCS#8 ("BEGIN PRIVATE KEY").
        Command.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-keyout", key.toString(), "-out", cert.toString()).run();
        assertTrue(Files.exists(cert) && Files.exists(key));
        ProcessBackend backend = new ProcessBackend();
        TokenCache tokens = new TokenCache(Duration.ofSeconds(60));
        try (StreamingServer server = StreamingServer.start(StreamingPort.bind("127.0.0.1:0"),
                new StreamingSettings(Duration.ofHours(4), Duration.ofSeconds(30)),
                TlsFiles.serverContext(cert.toString(), key.toString()), tokens, backend)) {
            StreamingRequests requests = new StreamingRequests(backend, tokens,
                    new StreamUrls(server.address(), true));
            String url = requests.exec(ExecRequest.newBuilder().setContainerId("c1")
                    .addAllCmd(List.of("echo", "secret")).setStdout(true).build()).getUrl();
            assertTrue(url.startsWith("https://127.0.0.1:"), url);
            try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
                SpdyClient.Stream error = client.open(Map.of("streamtype", "error"));
                SpdyClient.Stream stdout = client.open(Map.of("streamtype", "stdout"));
                assertEquals("secret\n", stdout.readAll());
                assertEquals("{\"metadata\":{},\"status\":\"Success\"}", error.readAll());
            }
        }
    }

    @Test
    void unreadableTlsFilesStopStartUp(@TempDir Path dir) {
        StartupException e = assertThrows(StartupException.class, () -> TlsFiles.serverContext(
                dir.resolve("none.pem").toString(), dir.resolve("none.key").toString()));
        assertTrue(e.getMessage().contains("cannot use streaming TLS files"), e.getMessage());
    }
}
