package dev.berth.runtime.testing;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random IDs for tests: 64 hex chars like real container/sandbox IDs, or short ones for paths. */
public final class TestIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestIds() {
    }

    public static String id64() {
        return hex(32);
    }

    public static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
