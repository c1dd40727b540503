package dev.berth.cri.handler;

import dev.berth.common.error.BerthException;
import dev.berth.common.error.RequestText;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Edge checks for request fields, so a malformed request names the field it lacks. */
final class Fields {

    private static final int NAME_MAX = 255;
    static final Duration MAX_TIMEOUT = Duration.ofDays(365);
    private static final Pattern HEX_ID = Pattern.compile("[0-9a-fA-F]{1,64}");

    private Fields() {
    }

    /** An ID for the calls that read or act on an object: one that is not hex names nothing, so NOT_FOUND. */
    static String requiredId(String value, String field) {
        return wellFormedId(value, field).orElseThrow(() -> BerthException.notFound(field + " \"" + value
                + "\" not found (berth's IDs are hex, at most 64 chars)"));
    }

    /**
     * For the calls that must succeed when the object is gone (stop and remove): an ID that is not hex cannot name
     * anything berth made, so it is simply not found (empty). Only a missing ID is the caller's mistake.
     */
    static Optional<String> wellFormedId(String value, String field) {
        String id = value.strip();
        if (id.isEmpty()) {
            throw BerthException.invalidArgument(field + " is required");
        }
        if (!HEX_ID.matcher(id).matches()) {
            return Optional.empty();
        }
        return Optional.of(id.toLowerCase(Locale.ROOT));
    }

    /**
     * A timeout in seconds as a Duration. Negative is the caller's mistake; anything beyond a year means "no limit of
     * its own" in practice and is taken as a year, because Long.MAX_VALUE seconds overflows nanosecond arithmetic.
     */
    static Duration timeoutSeconds(long seconds, String field) {
        if (seconds < 0) {
            throw BerthException.invalidArgument(field + " must not be negative, got " + seconds);
        }
        return Duration.ofSeconds(Math.min(seconds, MAX_TIMEOUT.toSeconds()));
    }

    /**
     * A cgroup parent names a directory under every cgroup hierarchy (or a systemd slice): '.' and '..' elements
     * would name one outside it. The cgroup code refuses such a path only when it first touches the cgroup, which
     * for a pod is its stop, so a pod run with one could never be stopped or removed.
     */
    static void cgroupParent(String value, String field) {
        RequestText.withoutControlCharacters(value, field);
        for (String element : value.split("/")) {
            if (element.equals("..") || element.equals(".")) {
                throw BerthException.invalidArgument(field + " must not contain '.' or '..' elements, got \""
                        + value + "\"");
            }
            // A cgroup is a directory: runc's mkdir of a longer name fails and its error would come back INTERNAL.
            if (element.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
                throw BerthException.invalidArgument(field + " has an element longer than " + NAME_MAX
                        + " bytes, the longest file name");
            }
        }
    }

    static void requirePresent(boolean present, String field) {
        if (!present) {
            throw BerthException.invalidArgument(field + " is required");
        }
    }
}
