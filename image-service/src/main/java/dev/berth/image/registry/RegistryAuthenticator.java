package dev.berth.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.image.RegistryCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Works out the {@code Authorization} header for registry requests: pings {@code /v2/} once per endpoint to learn
 * its challenge, then sends Basic credentials or fetches a Bearer token for the repository's pull scope (anonymous,
 * with Basic credentials, with an OAuth2 refresh token, or the caller's ready registry token).
 */
public final class RegistryAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(RegistryAuthenticator.class);
    private static final int MAX_TOKEN_RESPONSE = 1 << 20;
    private static final long DEFAULT_TOKEN_SECONDS = 60;
    private static final String CLIENT_ID = "berth";

    private final HttpSender sender;
    private final ObjectMapper json;
    private final TokenCache tokens;
    private final Map<URI, Optional<AuthChallenge>> challenges = new ConcurrentHashMap<>();

    public RegistryAuthenticator(HttpSender sender, ObjectMapper json, TokenCache tokens) {
        this.sender = sender;
        this.json = json;
        this.tokens = tokens;
    }

    /** The header to send for a pull from {@code repository} on this endpoint, if any is needed. */
    public Optional<String> authorization(RegistryEndpoint endpoint, String repository,
                                          RegistryCredentials credentials, TransferControl control) {
        if (!credentials.registryToken().isEmpty()) {
            return Optional.of("Bearer " + credentials.registryToken());
        }
        Optional<AuthChallenge> challenge = challenges.get(endpoint.base());
        if (challenge == null) {
            challenge = ping(endpoint, control);
            challenges.put(endpoint.base(), challenge);
        }
        return challenge.isEmpty() ? Optional.empty()
                : authorize(challenge.get(), repository, credentials, control, false);
    }

    /**
     * After a 401: learns the challenge the registry just sent and returns a new header, or empty when there is
     * nothing different to try (the caller then reports "unauthorized").
     */
    public Optional<String> reauthorize(RegistryEndpoint endpoint, String repository, RegistryCredentials credentials,
                                        List<String> wwwAuthenticate, String refusedHeader,
                                        TransferControl control) {
        Optional<AuthChallenge> challenge = AuthChallenge.preferred(AuthChallenge.parse(wwwAuthenticate));
        if (challenge.isEmpty() || !credentials.registryToken().isEmpty()) {
            return Optional.empty();
        }
        challenges.put(endpoint.base(), challenge);
        Optional<String> header = authorize(challenge.get(), repository, credentials, control, true);
        return header.filter(h -> !h.equals(refusedHeader));
    }

    private Optional<AuthChallenge> ping(RegistryEndpoint endpoint, TransferControl control) {
        HttpResponse<InputStream> response = sender.send(HttpCall.get(endpoint.resolve("/v2/"), Map.of()), control);
        HttpSender.closeBody(response);
        int status = response.statusCode();
        if (status == 401) {
            Optional<AuthChallenge> challenge =
                    AuthChallenge.preferred(AuthChallenge.parse(response.headers().allValues("WWW-Authenticate")));
            log.debug("event=registry_ping endpoint={} auth={}", endpoint, challenge.map(AuthChallenge::scheme)
                    .orElse("unknown"));
            return challenge;
        }
        if (status >= 200 && status < 300) {
            return Optional.empty();
        }
        // Some registries answer /v2/ with 404 or 403 yet serve pulls; the real request will tell.
        log.debug("event=registry_ping endpoint={} status={}", endpoint, status);
        return Optional.empty();
    }

    private Optional<String> authorize(AuthChallenge challenge, String repository, RegistryCredentials credentials,
                                       TransferControl control, boolean fresh) {
        if (challenge.isBasic()) {
            return credentials.userPassword().map(up -> "Basic " + Base64.getEncoder().encodeToString(
                    (up.username() + ":" + up.password()).getBytes(StandardCharsets.UTF_8)));
        }
        if (!challenge.isBearer()) {
            return Optional.empty();
        }
        String realm = challenge.param("realm").orElseThrow(() -> new BerthException(BerthException.Kind.UNAVAILABLE,
                "registry sent a Bearer challenge without realm"));
        String service = challenge.param("service").orElse("");
        String scope = challenge.param("scope").filter(s -> s.contains(repository))
                .orElse("repository:" + repository + ":pull");
        TokenCache.Key key = new TokenCache.Key(realm, service, scope, principal(credentials));
        if (!fresh) {
            Optional<String> cached = tokens.get(key);
            if (cached.isPresent()) {
                return Optional.of("Bearer " + cached.get());
            }
        }
        String token = fetchToken(URI.create(realm), service, scope, credentials, control, key);
        return Optional.of("Bearer " + token);
    }

    private String fetchToken(URI realm, String service, String scope, RegistryCredentials credentials,
                              TransferControl control, TokenCache.Key key) {
        HttpCall call;
        if (!credentials.identityToken().isEmpty()) {
            String form = "grant_type=refresh_token&client_id=" + CLIENT_ID + "&service=" + enc(service)
                    + "&scope=" + enc(scope) + "&refresh_token=" + enc(credentials.identityToken());
            call = new HttpCall("POST", realm, Map.of(), form);
        } else {
            String query = (service.isEmpty() ? "" : "service=" + enc(service) + "&") + "scope=" + enc(scope);
            Optional<RegistryCredentials.UserPassword> up = credentials.userPassword();
            if (up.isPresent()) {
                query += "&account=" + enc(up.get().username());
            }
            URI uri = URI.create(realm + (realm.getRawQuery() == null ? "?" : "&") + query);
            Map<String, String> headers = up.map(u -> Map.of("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((u.username() + ":" + u.password()).getBytes(StandardCharsets.UTF_8))))
                    .orElse(Map.of());
            call = HttpCall.get(uri, headers);
        }
        HttpResponse<InputStream> response = sender.send(call, control);
        byte[] body;
        try (InputStream in = control.watch(response.body(), "token from " + HttpSender.host(realm))) {
            body = in.readNBytes(MAX_TOKEN_RESPONSE);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "cannot read token from "
                    + HttpSender.host(realm) + ": " + e.getMessage());
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new BerthException(BerthException.Kind.FAILED_PRECONDITION, "authentication failed: token server "
                    + HttpSender.host(realm) + " refused the credentials for " + scope + " (HTTP " + status + ")");
        }
        if (status != 200) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "token server " + HttpSender.host(realm)
                    + " answered HTTP " + status);
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "token server sent invalid JSON");
        }
        String token = node.path("token").asText(node.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "token server sent no token");
        }
        long seconds = node.path("expires_in").asLong(DEFAULT_TOKEN_SECONDS);
        if (seconds < DEFAULT_TOKEN_SECONDS) {
            seconds = DEFAULT_TOKEN_SECONDS;
        }
        // Renew a little early so a token does not expire between the check and its use.
        tokens.put(key, token, Instant.now().plusSeconds(seconds - Math.min(10, seconds / 10)));
        log.debug("event=registry_token realm={} scope={} expires_in={}", realm, scope, seconds);
        return token;
    }

    /** A fingerprint of the credentials so that tokens are never shared across different users. */
    private static String principal(RegistryCredentials credentials) {
        if (credentials.isAnonymous()) {
            return "";
        }
        String material = credentials.userPassword().map(up -> up.username() + "\0" + up.password()).orElse("")
                + "\0" + credentials.identityToken();
        MessageDigest sha = dev.berth.image.content.Digest.newSha256();
        return HexFormat.of().formatHex(sha.digest(material.getBytes(StandardCharsets.UTF_8)));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
