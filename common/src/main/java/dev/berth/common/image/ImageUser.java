package dev.berth.common.image;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * An image config's {@code User} ({@code name}, {@code uid}, {@code uid:gid}, {@code name:group}…), parsed once
 * where image-service reads the config and handed as is to runtime-core, which resolves names against the
 * container's own /etc/passwd and /etc/group. It lives here because both modules use it and neither depends on
 * the other.
 *
 * @param user  the part before the first {@code :}; empty = not set (root)
 * @param group the part after it; empty = not set (the user's primary group)
 */
public record ImageUser(String user, String group) {

    /** No {@code User} in the image. */
    public static final ImageUser UNSET = new ImageUser("", "");

    private static final long MAX_ID = 0xFFFFFFFFL;
    private static final int MAX_ID_DIGITS = 10;

    public ImageUser {
        user = user == null ? "" : user;
        group = group == null ? "" : group;
    }

    /** Splits the config's {@code User} at its first {@code :}; null or empty is {@link #UNSET}. */
    public static ImageUser parse(String spec) {
        if (spec == null || spec.isEmpty()) {
            return UNSET;
        }
        int colon = spec.indexOf(':');
        return colon < 0 ? new ImageUser(spec, "") : new ImageUser(spec.substring(0, colon), spec.substring(colon + 1));
    }

    /** The user part when it is a numeric ID. */
    public OptionalLong uid() {
        return numericId(user);
    }

    /** The group part when it is a numeric ID. */
    public OptionalLong gid() {
        return numericId(group);
    }

    /** The user part when it is a name (set and not numeric). */
    public Optional<String> userName() {
        return user.isEmpty() || uid().isPresent() ? Optional.empty() : Optional.of(user);
    }

    /** Whether the image names a group ({@code user:group}); {@code user:} names none. */
    public boolean hasGroup() {
        return !group.isEmpty();
    }

    /**
     * A user or group ID written as decimal digits that fits the kernel's 32-bit IDs; anything else is a name to
     * look up.
     */
    public static OptionalLong numericId(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_ID_DIGITS) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return OptionalLong.empty();
            }
        }
        long value = Long.parseLong(s);
        return value <= MAX_ID ? OptionalLong.of(value) : OptionalLong.empty();
    }
}
