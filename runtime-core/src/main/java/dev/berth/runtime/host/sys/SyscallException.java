package dev.berth.runtime.host.sys;

/** A libc call failed; {@link #errno()} says why. Callers translate it into a BerthException where it matters. */
public final class SyscallException extends RuntimeException {

    private final int errno;

    public SyscallException(String operation, int errno) {
        super(operation + ": " + describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    private static String describe(int errno) {
        switch (errno) {
            case 1: return "operation not permitted (EPERM)";
            case 2: return "no such file or directory (ENOENT)";
            case 6: return "no reader (ENXIO)";
            case 11: return "resource temporarily unavailable (EAGAIN)";
            case 13: return "permission denied (EACCES)";
            case 16: return "device or resource busy (EBUSY)";
            case 22: return "invalid argument (EINVAL)";
            default: return "errno " + errno;
        }
    }
}
