package dev.berth.cri.streaming;

import dev.berth.common.error.BerthException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Single-use tokens for stream requests. A token is 144 random bits, URL-safe, valid for one use within the TTL.
 * Every token has the same TTL, so insertion order is expiry order and expired tokens are dropped from the head on
 * each issue and consume: nothing accumulates when clients never come.
 */
public final class TokenCache {

    /** More pending streams than this is a client that asks and never comes; refuse rather than grow. */
    static final int MAX_PENDING = 1000;
    private static final int TOKEN_BYTES = 18;

    private final SecureRandom random = new SecureRandom();
    private final Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Entry> pending = new LinkedHashMap<>();

    private record Entry(StreamRequest request, long expiresAt) {
    }

    public TokenCache(Duration ttl) {
        this(ttl, System::nanoTime);
    }

    /** {@code nanoClock} is a monotonic clock in nanoseconds (tests pass their own). */
    public TokenCache(Duration ttl, LongSupplier nanoClock) {
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    public synchronized String issue(StreamRequest request) {
        long now = nanoClock.getAsLong();
        dropExpired(now);
        if (pending.size() >= MAX_PENDING) {
            throw new BerthException(BerthException.Kind.RESOURCE_EXHAUSTED, pending.size()
                    + " stream requests are waiting for their client; try again later");
        }
        String token;
        do {
            byte[] bytes = new byte[TOKEN_BYTES];
            random.nextBytes(bytes);
            token = encoder.encodeToString(bytes);
        } while (pending.containsKey(token));
        pending.put(token, new Entry(request, now + ttlNanos));
        return token;
    }

    /** The request the token was issued for, once; empty when unknown, used or expired. */
    public synchronized Optional<StreamRequest> consume(String token) {
        dropExpired(nanoClock.getAsLong());
        Entry entry = pending.remove(token);
        return entry == null ? Optional.empty() : Optional.of(entry.request());
    }

    public synchronized int pendingCount() {
        dropExpired(nanoClock.getAsLong());
        return pending.size();
    }

    private void dropExpired(long now) {
        Iterator<Entry> entries = pending.values().iterator();
        while (entries.hasNext()) {
            if (now - entries.next().expiresAt() < 0) {
                return;
            }
            entries.remove();
        }
    }
}
