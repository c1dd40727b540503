package dev.berth.testing.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Http;
import dev.berth.testing.net.Listeners;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Bearer flow end to end with a plain HTTP client: challenge, token request, authorized pull. */
@Tag("host")
class TokenAuthTest {

    private static TokenServer tokens;
    private static TestRegistry registry;
    private static PushedImage image;
    private final Http http = new Http();
    private final ObjectMapper mapper = new ObjectMapper();

    @BeforeAll
    static void start() {
        tokens = TokenServer.builder().withBasicAuth("bob", "hunter2").start();
        registry = TestRegistry.builder().withTokenAuth(tokens).start();
        image = BusyboxImages.busybox(registry);
    }

    @AfterAll
    static void stop() {
        registry.close();
        tokens.close();
    }

    @BeforeEach
    void reset() {
        tokens.resetCounts();
    }

    @Test
    void fixturePushesDoNotCountAsIssuedTokens() {
        BusyboxImages.busybox(registry, "berth-test/other", "v1");
        assertEquals(0, tokens.issuedTokens());
        assertEquals(List.of(), tokens.requests());
    }

    @Test
    void tokenServerListensOnLoopbackOnly() {
        assertEquals(List.of("127.0.0.1"), Listeners.listeningAddresses(tokens.port()));
    }

    @Test
    void challengeTokenAndPull() throws Exception {
        URI manifest = registry.url("/v2/berth-test/busybox/manifests/latest");
        HttpResponse<byte[]> challenged = http.get(manifest, "Accept", image.manifestMediaType());
        assertEquals(401, challenged.statusCode());
        Map<String, String> challenge = parseBearer(challenged.headers().firstValue("WWW-Authenticate")
                .orElseThrow());
        assertEquals(tokens.realm(), challenge.get("realm"));
        assertEquals(tokens.service(), challenge.get("service"));
        assertEquals("repository:berth-test/busybox:pull", challenge.get("scope"));

        URI tokenUri = URI.create(challenge.get("realm") + "?service=" + enc(challenge.get("service"))
                + "&scope=" + enc(challenge.get("scope")));
        assertEquals(401, http.get(tokenUri).statusCode(), "anonymous token request must be refused");
        assertEquals(401, http.get(tokenUri, "Authorization", new Credentials("bob", "nope").basicHeader())
                .statusCode());
        HttpResponse<byte[]> issued = http.get(tokenUri, "Authorization",
                new Credentials("bob", "hunter2").basicHeader());
        assertEquals(200, issued.statusCode());
        JsonNode body = mapper.readTree(issued.body());
        String token = body.path("token").asText();
        assertEquals(token, body.path("access_token").asText());
        assertTrue(body.path("expires_in").asInt() > 0);
        assertEquals(1, tokens.issuedTokens());

        JsonNode header = mapper.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[0]));
        assertEquals("RS256", header.path("alg").asText());
        assertEquals(tokens.keyId(), header.path("kid").asText());
        assertEquals(1, header.path("x5c").size());
        JsonNode claims = mapper.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertEquals(tokens.issuer(), claims.path("iss").asText());
        assertEquals(tokens.service(), claims.path("aud").asText());
        assertEquals("bob", claims.path("sub").asText());
        assertEquals("berth-test/busybox", claims.path("access").get(0).path("name").asText());

        HttpResponse<byte[]> pulled = http.get(manifest, "Accept", image.manifestMediaType(),
                "Authorization", "Bearer " + token);
        assertEquals(200, pulled.statusCode(), new String(pulled.body()));
        assertEquals(image.manifestDigest(), pulled.headers().firstValue("Docker-Content-Digest").orElseThrow());

        // The token is scoped: another repository is refused.
        HttpResponse<byte[]> other = http.get(registry.url("/v2/berth-test/other/manifests/v1"),
                "Authorization", "Bearer " + token);
        assertEquals(401, other.statusCode());

        TokenRequest seen = tokens.requests().get(tokens.requests().size() - 1);
        assertEquals(new TokenRequest("GET", tokens.service(), List.of("repository:berth-test/busybox:pull"), "bob",
                true), seen);
    }

    @Test
    void oauthPostAndRefreshToken() throws Exception {
        String scope = "repository:berth-test/busybox:pull";
        HttpResponse<byte[]> refused = http.postForm(URI.create(tokens.realm()),
                "grant_type=password&username=bob&password=bad&service=" + enc(tokens.service())
                        + "&scope=" + enc(scope) + "&client_id=berth");
        assertEquals(401, refused.statusCode());
        HttpResponse<byte[]> issued = http.postForm(URI.create(tokens.realm()),
                "grant_type=password&username=bob&password=hunter2&access_type=offline&client_id=berth&service="
                        + enc(tokens.service()) + "&scope=" + enc(scope));
        assertEquals(200, issued.statusCode());
        JsonNode body = mapper.readTree(issued.body());
        String refresh = body.path("refresh_token").asText();
        assertFalse(refresh.isEmpty());
        HttpResponse<byte[]> refreshed = http.postForm(URI.create(tokens.realm()),
                "grant_type=refresh_token&client_id=berth&refresh_token=" + refresh + "&service="
                        + enc(tokens.service()) + "&scope=" + enc(scope));
        assertEquals(200, refreshed.statusCode());
        String token = mapper.readTree(refreshed.body()).path("access_token").asText();
        assertEquals(200, http.get(registry.url("/v2/berth-test/busybox/manifests/latest"),
                "Accept", image.manifestMediaType(), "Authorization", "Bearer " + token).statusCode());
        assertEquals(2, tokens.issuedTokens());
    }

    @Test
    void registryFindsTheKeyByKidWithoutCertificateChain() {
        // Checks our libtrust key ID: distribution falls back to kid when a token has no x5c.
        String token = tokens.mintToken("carol", List.of(Access.repository("berth-test/busybox", "pull")), false);
        assertEquals(200, http.get(registry.url("/v2/berth-test/busybox/manifests/latest"),
                "Accept", image.manifestMediaType(), "Authorization", "Bearer " + token).statusCode());
    }

    @Test
    void foreignlySignedTokenIsRefused() {
        try (TokenServer stranger = TokenServer.start()) {
            String token = stranger.mintToken("mallory", List.of(Access.repository("berth-test/busybox", "pull")));
            assertEquals(401, http.get(registry.url("/v2/berth-test/busybox/manifests/latest"),
                    "Authorization", "Bearer " + token).statusCode());
        }
    }

    private static Map<String, String> parseBearer(String header) {
        assertTrue(header.startsWith("Bearer "), header);
        Map<String, String> params = new LinkedHashMap<>();
        Matcher matcher = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(header);
        while (matcher.find()) {
            params.put(matcher.group(1), matcher.group(2));
        }
        assertNotNull(params.get("realm"));
        return params;
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
