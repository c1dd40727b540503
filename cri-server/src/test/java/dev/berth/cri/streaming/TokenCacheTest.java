package dev.berth.cri.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenCacheTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final TokenCache tokens = new TokenCache(Duration.ofSeconds(60), now::get);
    private final StreamRequest exec = new StreamRequest.Exec("abc", List.of("ls"),
            new StreamOptions(false, true, false, false));

    @Test
    void tokenIsUrlSafeRandomAndAtLeast128Bits() {
        String a = tokens.issue(exec);
        String b = tokens.issue(exec);
        assertNotEquals(a, b);
        // 18 bytes in unpadded base64url: 24 characters of [A-Za-z0-9_-], 144 bits.
        assertTrue(a.matches("[A-Za-z0-9_-]{24}"), a);
    }

    @Test
    void tokenWorksOnceForItsRequest() {
        String token = tokens.issue(exec);
        assertEquals(Optional.of(exec), tokens.consume(token));
        assertEquals(Optional.empty(), tokens.consume(token));
        assertEquals(Optional.empty(), tokens.consume("never-issued"));
    }

    @Test
    void tokenExpiresAfterTheTtl() {
        String early = tokens.issue(exec);
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        String late = tokens.issue(exec);
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertEquals(Optional.empty(), tokens.consume(early));
        assertEquals(Optional.of(exec), tokens.consume(late));
    }

    @Test
    void expiredTokensDoNotAccumulate() {
        for (int i = 0; i < 500; i++) {
            tokens.issue(exec);
        }
        assertEquals(500, tokens.pendingCount());
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        assertEquals(0, tokens.pendingCount());
    }

    @Test
    void tooManyPendingIsRefusedUntilSomeExpire() {
        for (int i = 0; i < TokenCache.MAX_PENDING; i++) {
            tokens.issue(exec);
        }
        BerthException e = assertThrows(BerthException.class, () -> tokens.issue(exec));
        assertEquals(BerthException.Kind.RESOURCE_EXHAUSTED, e.kind());
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        tokens.issue(exec);
        assertEquals(1, tokens.pendingCount());
    }
}
