package dev.berth.common.error;

/**
 * Checks on text a client sends that berth passes on to file names, process arguments or environments, where a
 * control character (NUL above all) cuts or corrupts the value: the request is refused instead.
 */
public final class RequestText {

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
}
