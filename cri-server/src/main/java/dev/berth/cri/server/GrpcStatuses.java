package dev.berth.cri.server;

import dev.berth.common.error.BerthException;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;

/** The one place where a domain error kind becomes a gRPC status code. */
public final class GrpcStatuses {

    // Room left in an 8 KiB trailer block for grpc-status and the other trailers.
    static final int MAX_ENCODED_DESCRIPTION = 4096;

    private GrpcStatuses() {
    }

    public static Status of(BerthException e) {
        Status status = switch (e.kind()) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
            case CANCELLED -> Status.CANCELLED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case UNIMPLEMENTED -> Status.UNIMPLEMENTED;
            case INTERNAL -> Status.INTERNAL;
        };
        return bounded(status.withDescription(e.getMessage()));
    }

    /**
     * The status with a description that fits in the trailers of any client. Descriptions quote request fields, and a
     * request may carry a megabyte in one; the description travels percent-encoded in the grpc-message trailer, and a
     * trailer block over the client's limit (8 KiB in grpc-java, 16 KiB in grpc-go) makes the client fail the call
     * with INTERNAL instead of showing the real code.
     */
    public static Status bounded(Status status) {
        String description = status.getDescription();
        if (description == null) {
            return status;
        }
        int encoded = 0;
        for (int i = 0; i < description.length(); ) {
            int codePoint = description.codePointAt(i);
            // Printable ASCII travels as is; every other byte of the UTF-8 encoding as %XX.
            encoded += codePoint >= 0x20 && codePoint < 0x7f && codePoint != '%' ? 1
                    : 3 * Character.toString(codePoint).getBytes(StandardCharsets.UTF_8).length;
            if (encoded > MAX_ENCODED_DESCRIPTION) {
                return status.withDescription(description.substring(0, i) + "... (" + description.length()
                        + " chars, truncated)");
            }
            i += Character.charCount(codePoint);
        }
        return status;
    }
}
