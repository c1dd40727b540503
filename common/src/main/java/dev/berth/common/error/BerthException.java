package dev.berth.common.error;

/**
 * The one error type the domain modules throw. Its {@link Kind} decides the gRPC status code, and the mapping
 * lives in one place in cri-server, so a domain module never needs to know about gRPC.
 */
public final class BerthException extends RuntimeException {

    /** What went wrong, from the caller's point of view. */
    public enum Kind {
        INVALID_ARGUMENT,
        NOT_FOUND,
        ALREADY_EXISTS,
        FAILED_PRECONDITION,
        RESOURCE_EXHAUSTED,
        DEADLINE_EXCEEDED,
        CANCELLED,
        UNAVAILABLE,
        UNIMPLEMENTED,
        INTERNAL
    }

    private final Kind kind;

    public BerthException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BerthException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static BerthException invalidArgument(String message) {
        return new BerthException(Kind.INVALID_ARGUMENT, message);
    }

    public static BerthException notFound(String message) {
        return new BerthException(Kind.NOT_FOUND, message);
    }

    public static BerthException alreadyExists(String message) {
        return new BerthException(Kind.ALREADY_EXISTS, message);
    }

    public static BerthException failedPrecondition(String message) {
        return new BerthException(Kind.FAILED_PRECONDITION, message);
    }

    public static BerthException internal(String message, Throwable cause) {
        return new BerthException(Kind.INTERNAL, message, cause);
    }
}
