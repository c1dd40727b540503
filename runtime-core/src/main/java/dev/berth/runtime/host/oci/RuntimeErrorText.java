package dev.berth.runtime.host.oci;

/**
 * The reason an OCI runtime gives for a failure, out of its log text. runc and crun write one logrus-style line per
 * event ({@code time=… level=warning msg="…"}); warnings come first and say nothing about the failure, so the last
 * error (or fatal) line is the reason. Text in no such form is passed on as it is.
 */
public final class RuntimeErrorText {

    private RuntimeErrorText() {
    }

    public static String of(String log) {
        String reason = null;
        String lastMessage = null;
        for (String line : log.split("\n")) {
            String message = message(line);
            if (message == null) {
                continue;
            }
            lastMessage = message;
            if (line.contains("level=error") || line.contains("level=fatal")) {
                reason = message;
            }
        }
        if (reason != null) {
            return reason;
        }
        return lastMessage != null ? lastMessage : log.strip();
    }

    private static String message(String line) {
        int msg = line.indexOf("msg=");
        if (msg < 0) {
            return null;
        }
        String text = line.substring(msg + 4).strip();
        if (text.startsWith("\"") && text.endsWith("\"") && text.length() >= 2) {
            text = text.substring(1, text.length() - 1).replace("\\\"", "\"");
        }
        return text;
    }
}
