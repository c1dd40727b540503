package dev.berth.runtime.host.sys;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The few libc calls runtime-core makes itself (no namespace calls: those stay in helpers, the JVM is multithreaded);
 * the mount calls are common's {@link dev.berth.common.sys.MountCalls}, open, socket and close common's
 * {@link dev.berth.common.sys.DescriptorCalls}.
 */
public interface LibC {

    long write(int fd, @In byte[] buffer, long count);

    // --- process spawning without the JDK (to pass fds beyond 0-2) ---------------------------------------------

    long read(int fd, @Out byte[] buffer, long count);

    int pipe2(@Out int[] fds, int flags);

    int fcntl(int fd, int command, int argument);

    /** {@code fds} holds struct pollfd entries as int pairs: fd, then events (low 16 bits) | revents (high 16). */
    int poll(@In @Out int[] fds, long count, int timeoutMillis);

    int waitpid(int pid, @Out int[] status, int options);

    int kill(int pid, int signal);

    int sigemptyset(Pointer set);

    int sigfillset(Pointer set);

    int posix_spawn_file_actions_init(Pointer actions);

    int posix_spawn_file_actions_destroy(Pointer actions);

    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

    int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int flags, int mode);

    /** glibc 2.29+. */
    int posix_spawn_file_actions_addchdir_np(Pointer actions, String path);

    /** glibc 2.34+. */
    int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

    int posix_spawnattr_init(Pointer attributes);

    int posix_spawnattr_destroy(Pointer attributes);

    int posix_spawnattr_setflags(Pointer attributes, short flags);

    int posix_spawnattr_setsigmask(Pointer attributes, Pointer set);

    int posix_spawnattr_setsigdefault(Pointer attributes, Pointer set);

    /** Returns an error number (0 on success), not -1/errno. argv and envp are NULL-terminated by JNR. */
    int posix_spawn(@Out int[] pid, String path, Pointer actions, Pointer attributes, @In String[] argv,
            @In String[] envp);

    // --- Unix sockets (conmon's SOCK_SEQPACKET attach socket) ---------------------------------------------------

    /** {@code address} is a struct sockaddr_un laid out by the caller. */
    int connect(int fd, @In byte[] address, int length);

    int shutdown(int fd, int how);

    /** glibc 2.36+ (Linux 5.3+): a file descriptor that becomes readable when the process exits. */
    int pidfd_open(int pid, int flags);

    // --- Namespaces ------------------------------------------------------------------------------------------------

    /** Moves the calling thread into new namespaces of the kinds in {@code flags} (CLONE_NEW*). */
    int unshare(int flags);

    /** Moves the calling thread into the namespace {@code fd} refers to. */
    int setns(int fd, int nstype);

    /** {@code argument} is the request's structure, read and written in place (a struct ifreq here). */
    int ioctl(int fd, long request, @In @Out byte[] argument);
}
