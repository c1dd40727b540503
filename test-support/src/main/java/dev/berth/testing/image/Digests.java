package dev.berth.testing.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** sha256 digests in the {@code sha256:<hex>} form registries and image configs use. */
public final class Digests {

    private Digests() {
    }

    public static String sha256(byte[] data) {
        MessageDigest digest = newSha256();
        digest.update(data);
        return format(digest.digest());
    }

    public static String format(byte[] rawSha256) {
        return "sha256:" + HexFormat.of().formatHex(rawSha256);
    }

    /** The hex part of a {@code sha256:<hex>} digest. */
    public static String hex(String digest) {
        if (!digest.startsWith("sha256:")) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return digest.substring("sha256:".length());
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
