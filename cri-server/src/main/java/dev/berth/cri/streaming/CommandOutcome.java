package dev.berth.cri.streaming;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How an exec or attach ended, written on the error stream. Protocol v4 and later write a Kubernetes Status object
 * as JSON (clients read the exit code from its {@code ExitCode} cause); older protocols write only a failure's
 * message as plain text and nothing on success.
 */
record CommandOutcome(boolean success, String message, String reason, String causeReason, String causeMessage,
                      int code) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static CommandOutcome succeeded() {
        return new CommandOutcome(true, null, null, null, null, 0);
    }

    static CommandOutcome exited(List<String> cmd, int exitCode) {
        if (exitCode == 0) {
            return succeeded();
        }
        // The client shows this message; the list prints as [sh -c exit 3], the form kubectl users know.
        String detail = "error executing command " + "[" + String.join(" ", cmd) + "], exit code " + exitCode;
        return new CommandOutcome(false, "command terminated with non-zero exit code: " + detail,
                "NonZeroExitCode", "ExitCode", Integer.toString(exitCode), 0);
    }

    static CommandOutcome internalError(String error) {
        return new CommandOutcome(false, "Internal error occurred: " + error, "InternalError", null, error, 500);
    }

    /** The Status object, fields in the order Kubernetes writes them. */
    byte[] json() {
        ObjectNode status = JSON.createObjectNode();
        status.putObject("metadata");
        status.put("status", success ? "Success" : "Failure");
        if (!success) {
            status.put("message", message);
            status.put("reason", reason);
            ObjectNode cause = status.putObject("details").putArray("causes").addObject();
            if (causeReason != null) {
                cause.put("reason", causeReason);
            }
            cause.put("message", causeMessage);
            if (code != 0) {
                status.put("code", code);
            }
        }
        try {
            return JSON.writeValueAsBytes(status);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Pre-v4 form: the message of a failure, nothing for success. */
    byte[] text() {
        return success ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
    }
}
