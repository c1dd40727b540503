package dev.berth.cri.runtime;

import dev.berth.common.error.BerthException;

/** Edge checks for request fields, so a malformed request names the field it lacks. */
final class Fields {

    private Fields() {
    }

    static String requiredId(String value, String field) {
        String id = value.strip();
        if (id.isEmpty()) {
            throw BerthException.invalidArgument(field + " is required");
        }
        if (!id.matches("[0-9a-fA-F]{1,64}")) {
            throw BerthException.invalidArgument(field + " \"" + value + "\" is not an ID (hex, at most 64 chars)");
        }
        return id.toLowerCase(java.util.Locale.ROOT);
    }

    static void requirePresent(boolean present, String field) {
        if (!present) {
            throw BerthException.invalidArgument(field + " is required");
        }
    }
}
