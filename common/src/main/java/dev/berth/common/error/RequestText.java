package dev.berth.common.error;

import java.nio.charset.StandardCharsets;

/**
 * Checks on text a client sends that berth passes on to file names, process arguments or environments, where a
 * control character (NUL above all) cuts or corrupts the value: the request is refused instead.
 */
public final class RequestText {

    private static final int MAX_PATH_BYTES = 4095;
    private static final int MAX_NAME_BYTES = 255;

    private RequestText() {
    }

    /** INVALID_ARGUMENT naming {@code field} if {@code value} holds a control character. */
    public static String withoutControlCharacters(String value, String field) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw BerthException.invalidArgument(field + " must not contain control characters, got one at "
                        + "index " + i + " (code " + (int) c + ")");
            }
        }
        return value;
    }

    /**
     * INVALID_ARGUMENT naming {@code field} if {@code value} holds a NUL, which execve and every path system call
     * take as the end of the string.
     */
    public static String withoutNul(String value, String field) {
        int nul = value.indexOf('\0');
        if (nul >= 0) {
            throw BerthException.invalidArgument(field + " must not contain a NUL character, got one at index " + nul);
        }
        return value;
    }

    /** A path from the request: without control characters and {@link #pathWithinLimits within Linux's limits}. */
    public static String path(String value, String field) {
        return pathWithinLimits(withoutControlCharacters(value, field), field);
    }

    /**
     * INVALID_ARGUMENT naming {@code field} if {@code path} cannot be a Linux path: longer than 4095 bytes (PATH_MAX
     * with its terminating NUL) or with an element longer than 255 bytes (the longest file name). Such a path fails
     * only deep inside a system call or a child process's argument list, far from the field that caused it.
     */
    public static String pathWithinLimits(String path, String field) {
        int bytes = path.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw BerthException.invalidArgument(field + " is " + bytes + " bytes long, longer than a path can be ("
                    + MAX_PATH_BYTES + " bytes)");
        }
        for (String element : path.split("/")) {
            if (element.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw BerthException.invalidArgument(field + " has an element longer than " + MAX_NAME_BYTES
                        + " bytes, the longest file name");
            }
        }
        return path;
    }
}
