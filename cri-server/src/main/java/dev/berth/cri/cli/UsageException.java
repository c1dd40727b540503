package dev.berth.cri.cli;

/** The command line itself is wrong; exit status 2. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }
}
