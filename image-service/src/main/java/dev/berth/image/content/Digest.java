package dev.berth.image.content;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A content address ({@code sha256:<64 hex>} or {@code sha512:<128 hex>}). Only algorithms berth can verify are
 * representable, so holding a {@code Digest} means the content behind it can be checked.
 */
public record Digest(String algorithm, String hex) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA512 = Pattern.compile("[0-9a-f]{128}");

    public Digest {
        if (!valid(algorithm, hex)) {
            throw new IllegalArgumentException("unsupported or malformed digest " + algorithm + ":" + hex);
        }
    }

    /** Parses {@code alg:hex}; empty when the text is not a digest berth can verify. */
    public static Optional<Digest> tryParse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String algorithm = text.substring(0, colon);
        String hex = text.substring(colon + 1);
        return valid(algorithm, hex) ? Optional.of(new Digest(algorithm, hex)) : Optional.empty();
    }

    public static Digest sha256(byte[] content) {
        return of("sha256", newSha256().digest(content));
    }

    public static Digest sha256Hex(String hex) {
        return new Digest("sha256", hex);
    }

    /** Wraps a finished hash computed with {@link #newHasher()} of the same algorithm. */
    public static Digest of(String algorithm, byte[] hash) {
        return new Digest(algorithm, HexFormat.of().formatHex(hash));
    }

    /** A fresh hasher for this digest's algorithm, to verify content against it. */
    public MessageDigest newHasher() {
        return hasher(algorithm);
    }

    public boolean matches(byte[] content) {
        return of(algorithm, newHasher().digest(content)).equals(this);
    }

    public static MessageDigest newSha256() {
        return hasher("sha256");
    }

    private static MessageDigest hasher(String algorithm) {
        return Hashers.get(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
    }

    private static boolean valid(String algorithm, String hex) {
        if (algorithm == null || hex == null) {
            return false;
        }
        return switch (algorithm) {
            case "sha256" -> SHA256.matcher(hex).matches();
            case "sha512" -> SHA512.matcher(hex).matches();
            default -> false;
        };
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
