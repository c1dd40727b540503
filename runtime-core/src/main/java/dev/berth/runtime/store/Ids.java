package dev.berth.runtime.store;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Makes and checks berth object IDs: 64 lowercase hex characters from 32 random bytes. */
public final class Ids {

    private static final Pattern FULL = Pattern.compile("[0-9a-f]{64}");
    private final SecureRandom random = new SecureRandom();

    public String next() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static boolean isFullId(String id) {
        return id != null && FULL.matcher(id).matches();
    }
}
