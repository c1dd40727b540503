package dev.berth.image.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.image.ImageStore;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.support.StoreFixture;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.Access;
import dev.berth.testing.registry.TestRegistry;
import dev.berth.testing.registry.TokenRequest;
import dev.berth.testing.registry.TokenServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static dev.berth.image.support.StoreFixture.inMinutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Basic auth and the Bearer token flow against docker-registry with htpasswd or token auth. */
@Tag("host")
class RegistryAuthTest {

    private static BerthException failPull(ImageStore store, String ref, RegistryCredentials credentials) {
        return assertThrows(BerthException.class, () -> store.pull(ref, credentials, inMinutes(2)));
    }

    @Test
    void basicAuthWithUserPasswordOrAuthString() {
        try (TestRegistry registry = TestRegistry.builder().withBasicAuth("alice", "s3cret").start();
             StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            PushedImage image = BusyboxImages.busybox(registry, "auth/basic", "latest");
            ImageStore store = fixture.store();

            BerthException anonymous = failPull(store, image.reference(), RegistryCredentials.anonymous());
            assertEquals(BerthException.Kind.FAILED_PRECONDITION, anonymous.kind());
            assertTrue(anonymous.getMessage().contains("unauthorized"), anonymous.getMessage());
            BerthException wrong = failPull(store, image.reference(), RegistryCredentials.basic("alice", "nope"));
            assertEquals(BerthException.Kind.FAILED_PRECONDITION, wrong.kind());

            assertEquals(image.imageId(), store.pull(image.reference(), RegistryCredentials.basic("alice", "s3cret"),
                    inMinutes(2)).id());
            store.remove(image.imageId());
            String auth = Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
            assertEquals(image.imageId(), store.pull(image.reference(),
                    new RegistryCredentials("", "", auth, "", ""), inMinutes(2)).id());
        }
    }

    @Test
    void bearerTokensAreFetchedOncePerScopeAndCached() {
        try (TokenServer tokens = TokenServer.start();
             TestRegistry registry = TestRegistry.builder().withTokenAuth(tokens).start();
             StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            PushedImage first = BusyboxImages.busybox(registry, "auth/token", "one");
            PushedImage second = BusyboxImages.multiLayerWithWhiteouts(registry, "auth/token", "two");
            PushedImage elsewhere = BusyboxImages.busybox(registry, "auth/other", "latest");
            tokens.resetCounts();
            ImageStore store = fixture.store();

            store.pull(first.reference(), RegistryCredentials.anonymous(), inMinutes(2));
            assertEquals(1, tokens.issuedTokens());
            assertEquals(List.of("repository:auth/token:pull"), tokens.requests().get(0).scopes());
            // Same repository: the cached token serves the manifest, config and three layers.
            store.pull(second.reference(), RegistryCredentials.anonymous(), inMinutes(2));
            assertEquals(1, tokens.issuedTokens());
            // Another repository is another scope.
            store.pull(elsewhere.reference(), RegistryCredentials.anonymous(), inMinutes(2));
            assertEquals(2, tokens.issuedTokens());
            assertEquals(2, store.list().size()); // first and elsewhere are one image under two names
        }
    }

    @Test
    void tokenServerCredentialsIdentityTokenAndRegistryToken() throws Exception {
        try (TokenServer tokens = TokenServer.builder().withBasicAuth("bob", "pw").start();
             TestRegistry registry = TestRegistry.builder().withTokenAuth(tokens).start();
             StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            PushedImage image = BusyboxImages.busybox(registry, "auth/login", "latest");
            ImageStore store = fixture.store();

            BerthException anonymous = failPull(store, image.reference(), RegistryCredentials.anonymous());
            assertEquals(BerthException.Kind.FAILED_PRECONDITION, anonymous.kind());
            assertTrue(anonymous.getMessage().contains("authentication failed"), anonymous.getMessage());

            store.pull(image.reference(), RegistryCredentials.basic("bob", "pw"), inMinutes(2));
            store.remove(image.imageId());

            // identity_token: an OAuth2 refresh token, exchanged with a POST.
            tokens.resetCounts();
            String refresh = refreshToken(registry, tokens);
            tokens.resetCounts();
            store.pull(image.reference(), new RegistryCredentials("", "", "", refresh, ""), inMinutes(2));
            TokenRequest exchange = tokens.requests().get(0);
            assertEquals("POST", exchange.method());
            assertTrue(exchange.issued());
            store.remove(image.imageId());

            // registry_token: sent to the registry as is, the token server is not asked.
            tokens.resetCounts();
            String ready = tokens.mintToken("bob", List.of(Access.repository("auth/login", "pull")));
            store.pull(image.reference(), new RegistryCredentials("", "", "", "", ready), inMinutes(2));
            assertEquals(0, tokens.issuedTokens());
        }
    }

    private static String refreshToken(TestRegistry registry, TokenServer tokens) throws Exception {
        String form = "grant_type=password&username=bob&password=pw&client_id=test&access_type=offline&service="
                + tokens.service() + "&scope=repository:auth/login:pull";
        HttpResponse<String> response = registry.httpClient().send(HttpRequest.newBuilder(URI.create(tokens.realm()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return new ObjectMapper().readTree(response.body()).path("refresh_token").asText();
    }
}
