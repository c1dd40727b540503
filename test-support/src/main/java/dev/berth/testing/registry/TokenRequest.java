package dev.berth.testing.registry;

import java.util.List;

/**
 * A request the {@link TokenServer} saw.
 *
 * @param method        GET (docker token flow) or POST (OAuth2 form)
 * @param scopes        the requested scopes, as sent
 * @param account       the authenticated user, or empty for anonymous
 * @param issued        whether a token was handed out
 */
public record TokenRequest(String method, String service, List<String> scopes, String account, boolean issued) {

    public TokenRequest {
        scopes = List.copyOf(scopes);
    }
}
