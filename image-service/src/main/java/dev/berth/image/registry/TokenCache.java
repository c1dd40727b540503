package dev.berth.image.registry;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens by (realm, service, scope, credentials), reused until shortly before they expire so that layers of
 * one pull, and later pulls of the same repository, do not each visit the token server.
 */
public final class TokenCache {

    /** What a token was issued for; {@code principal} tells apart tokens of different credentials. */
    public record Key(String realm, String service, String scope, String principal) {
    }

    private record Entry(String token, Instant expiresAt) {
    }

    private final Map<Key, Entry> tokens = new ConcurrentHashMap<>();

    public Optional<String> get(Key key) {
        Entry entry = tokens.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!Instant.now().isBefore(entry.expiresAt())) {
            tokens.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.token());
    }

    public void put(Key key, String token, Instant expiresAt) {
        tokens.put(key, new Entry(token, expiresAt));
    }

    /** Forgets a token the registry refused. */
    public void invalidate(Key key, String token) {
        tokens.computeIfPresent(key, (k, e) -> e.token().equals(token) ? null : e);
    }
}
