package dev.berth.testing.image;

/** The test registry refused or failed an operation a test fixture needed. */
public final class RegistryException extends RuntimeException {

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
