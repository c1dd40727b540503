package dev.berth.testing.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testing.Http;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("host")
class BasicAuthTest {

    private final Http http = new Http();

    @Test
    void rejectsAnonymousAndWrongPasswordAcceptsTheRightOne() throws Exception {
        try (TestRegistry registry = TestRegistry.builder().withBasicAuth("alice", "s3cret pass").start()) {
            assertTrue(Files.readString(registry.configFile()).contains("htpasswd:"));
            assertTrue(Files.readString(registry.configFile().resolveSibling("htpasswd")).startsWith("alice:$2a$"));

            HttpResponse<byte[]> anonymous = http.get(registry.url("/v2/"));
            assertEquals(401, anonymous.statusCode());
            assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="));

            String wrong = new Credentials("alice", "guess").basicHeader();
            assertEquals(401, http.get(registry.url("/v2/"), "Authorization", wrong).statusCode());

            String right = new Credentials("alice", "s3cret pass").basicHeader();
            assertEquals(right, registry.authorization("x").orElseThrow());
            assertEquals(200, http.get(registry.url("/v2/"), "Authorization", right).statusCode());

            PushedImage image = BusyboxImages.busybox(registry);
            String manifest = "/v2/berth-test/busybox/manifests/" + image.manifestDigest();
            assertEquals(401, http.get(registry.url(manifest)).statusCode());
            HttpResponse<byte[]> pulled = http.get(registry.url(manifest), "Authorization", right,
                    "Accept", image.manifestMediaType());
            assertEquals(200, pulled.statusCode());
        }
    }
}
