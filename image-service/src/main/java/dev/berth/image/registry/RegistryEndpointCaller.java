package dev.berth.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.image.RegistryCredentials;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Makes one authorized GET against one endpoint: adds credentials, answers a 401 once with a fresh challenge, and
 * turns failure statuses into {@link BerthException}s (404 → NOT_FOUND, 401/403 → FAILED_PRECONDITION, other →
 * UNAVAILABLE) carrying the registry's own error message.
 */
public final class RegistryEndpointCaller {

    private static final int MAX_ERROR_BODY = 8192;

    private final HttpSender sender;
    private final RegistryAuthenticator authenticator;
    private final ObjectMapper json;

    public RegistryEndpointCaller(HttpSender sender, RegistryAuthenticator authenticator, ObjectMapper json) {
        this.sender = sender;
        this.authenticator = authenticator;
        this.json = json;
    }

    /**
     * @param what names the requested object in errors ({@code manifest docker.io/library/busybox:latest})
     * @return a 2xx response whose body the caller must close
     */
    public HttpResponse<InputStream> get(RegistryEndpoint endpoint, String repository, String apiPath,
                                         Map<String, String> headers, RegistryCredentials credentials,
                                         TransferControl control, String what) {
        Optional<String> auth = authenticator.authorization(endpoint, repository, credentials, control);
        HttpResponse<InputStream> response = sender.send(call(endpoint, apiPath, headers, auth), control);
        if (response.statusCode() == 401) {
            HttpSender.closeBody(response);
            Optional<String> retried = authenticator.reauthorize(endpoint, repository, credentials,
                    response.headers().allValues("WWW-Authenticate"), auth.orElse(""), control);
            if (retried.isPresent()) {
                response = sender.send(call(endpoint, apiPath, headers, retried), control);
            }
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return response;
        }
        String detail = errorDetail(response);
        String where = " from " + endpoint;
        throw switch (status) {
            case 404 -> BerthException.notFound(what + " not found" + where + detail);
            case 401 -> BerthException.failedPrecondition("unauthorized: pulling " + what + where
                    + (credentials.isAnonymous() ? " needs credentials" : " with the given credentials was refused")
                    + detail);
            case 403 -> BerthException.failedPrecondition("access denied: " + what + where + detail);
            case 429 -> new BerthException(BerthException.Kind.RESOURCE_EXHAUSTED,
                    "registry rate limit reached for " + what + where + detail);
            default -> new BerthException(BerthException.Kind.UNAVAILABLE,
                    "registry answered HTTP " + status + " for " + what + where + detail);
        };
    }

    private static HttpCall call(RegistryEndpoint endpoint, String apiPath, Map<String, String> headers,
                                 Optional<String> auth) {
        Map<String, String> all = new HashMap<>(headers);
        auth.ifPresent(a -> all.put("Authorization", a));
        return HttpCall.get(endpoint.resolve(apiPath), all);
    }

    /** The first message of the registry's JSON error body, e.g. ": MANIFEST_UNKNOWN manifest unknown". */
    private String errorDetail(HttpResponse<InputStream> response) {
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return "";
        }
        try {
            JsonNode first = json.readTree(body).path("errors").path(0);
            String code = first.path("code").asText("");
            String message = first.path("message").asText("");
            String text = (code + " " + message).strip();
            return text.isEmpty() ? "" : ": " + text;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
