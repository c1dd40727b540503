package dev.berth.image.registry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthChallengeTest {

    @Test
    void parsesBearerChallenges() {
        List<AuthChallenge> c = AuthChallenge.parse(List.of("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\""));
        assertEquals(1, c.size());
        assertTrue(c.get(0).isBearer());
        assertEquals("https://auth.docker.io/token", c.get(0).param("realm").orElseThrow());
        assertEquals("registry.docker.io", c.get(0).param("service").orElseThrow());
        assertEquals("repository:library/busybox:pull", c.get(0).param("scope").orElseThrow());
    }

    @Test
    void parsesSeveralSchemesQuotingAndTokens() {
        List<AuthChallenge> c = AuthChallenge.parse(List.of(
                "Basic realm=\"a, \\\"quoted\\\" realm\", Bearer realm=https://t/token, error=insufficient_scope"));
        assertEquals(2, c.size());
        assertTrue(c.get(0).isBasic());
        assertEquals("a, \"quoted\" realm", c.get(0).param("realm").orElseThrow());
        assertEquals("https://t/token", c.get(1).param("realm").orElseThrow());
        assertEquals("insufficient_scope", c.get(1).param("error").orElseThrow());
        assertTrue(AuthChallenge.preferred(c).orElseThrow().isBearer());
    }

    @Test
    void schemeWithoutParameters() {
        List<AuthChallenge> c = AuthChallenge.parse(List.of("Basic"));
        assertEquals(1, c.size());
        assertTrue(c.get(0).params().isEmpty());
    }
}
