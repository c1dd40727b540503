package dev.berth.runtime.host.oci;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.SecurityProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Seccomp profiles for containers. RuntimeDefault is berth's own allow-list: ordinary process, file, memory, IPC,
 * socket and time-reading calls are allowed; calls that reach across the container boundary (mounts, namespaces,
 * modules, kexec, keyrings, clock setting, raw I/O…) are allowed only when the container holds the capability that
 * would make them succeed anyway. Everything else fails with EPERM. Names libseccomp doesn't know are skipped by runc.
 */
public final class SeccompProfiles {

    private static final int EPERM = 1;
    private static final int ENOSYS = 38;
    // CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: namespace creation needs CAP_SYS_ADMIN.
    private static final long CLONE_NAMESPACE_FLAGS = 0x7E020000L;

    private static final List<String> ALLOWED = List.of(
            "accept", "accept4", "access", "adjtimex", "alarm", "arch_prctl", "bind", "brk", "cachestat", "capget",
            "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
            "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
            "close", "close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create",
            "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
            "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat",
            "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
            "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr",
            "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
            "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64",
            "futex_wait", "futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd", "getdents", "getdents64",
            "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
            "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom",
            "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage",
            "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid",
            "getuid32", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
            "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
            "ioprio_get", "ioprio_set", "io_setup", "io_submit", "ipc", "kill", "landlock_add_rule",
            "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link",
            "linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat",
            "lstat64", "madvise", "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore",
            "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
            "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
            "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync",
            "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
            "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc",
            "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
            "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "ptrace", "pwrite64", "pwritev",
            "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
            "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat", "renameat2",
            "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
            "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
            "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
            "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval",
            "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
            "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop", "semtimedop",
            "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid",
            "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer",
            "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
            "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list", "setsid", "setsockopt",
            "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr", "shmat", "shmctl", "shmdt",
            "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socket",
            "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink",
            "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
            "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
            "timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
            "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname",
            "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4",
            "waitid", "waitpid", "write", "writev");

    /** Calls that only make sense with a capability; allowed when the container holds it. */
    private static final Map<String, List<String>> BY_CAPABILITY = Map.ofEntries(
            Map.entry("CAP_SYS_ADMIN", List.of("bpf", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen",
                    "fspick", "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree",
                    "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog",
                    "umount", "umount2", "unshare")),
            Map.entry("CAP_SYS_BOOT", List.of("reboot")),
            Map.entry("CAP_SYS_CHROOT", List.of("chroot")),
            Map.entry("CAP_SYS_MODULE", List.of("delete_module", "init_module", "finit_module")),
            Map.entry("CAP_SYS_PACCT", List.of("acct")),
            Map.entry("CAP_SYS_PTRACE", List.of("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
                    "process_vm_writev")),
            Map.entry("CAP_SYS_RAWIO", List.of("iopl", "ioperm")),
            Map.entry("CAP_SYS_TIME", List.of("settimeofday", "stime", "clock_settime", "clock_settime64")),
            Map.entry("CAP_SYS_TTY_CONFIG", List.of("vhangup")),
            Map.entry("CAP_SYS_NICE", List.of("get_mempolicy", "mbind", "set_mempolicy",
                    "set_mempolicy_home_node")),
            Map.entry("CAP_SYSLOG", List.of("syslog")),
            Map.entry("CAP_BPF", List.of("bpf")),
            Map.entry("CAP_PERFMON", List.of("perf_event_open")));

    private SeccompProfiles() {
    }

    /**
     * The seccomp section for an unprivileged container's profile, or null for none (Unconfined).
     *
     * @param capabilities the container's bounding set, which decides the capability-gated calls
     */
    public static OciSpec.Seccomp forContainer(SecurityProfile profile, List<String> capabilities, OciJson json) {
        switch (profile.getProfileType()) {
            case Unconfined:
                return null;
            case Localhost:
                return localhost(profile.getLocalhostRef(), json);
            case RuntimeDefault:
            default:
                return runtimeDefault(capabilities);
        }
    }

    public static OciSpec.Seccomp runtimeDefault(List<String> capabilities) {
        List<OciSpec.Syscall> rules = new ArrayList<>();
        rules.add(new OciSpec.Syscall(ALLOWED, "SCMP_ACT_ALLOW", null, null));
        List<String> gated = new ArrayList<>();
        BY_CAPABILITY.forEach((cap, calls) -> {
            if (capabilities.contains(cap)) {
                calls.stream().filter(c -> !gated.contains(c)).forEach(gated::add);
            }
        });
        gated.sort(String::compareTo);
        if (!gated.isEmpty()) {
            rules.add(new OciSpec.Syscall(gated, "SCMP_ACT_ALLOW", null, null));
        }
        if (capabilities.contains("CAP_SYS_ADMIN")) {
            rules.add(new OciSpec.Syscall(List.of("clone"), "SCMP_ACT_ALLOW", null, null));
        } else {
            rules.add(new OciSpec.Syscall(List.of("clone"), "SCMP_ACT_ALLOW", null,
                    List.of(new OciSpec.SeccompArg(0, CLONE_NAMESPACE_FLAGS, 0L, "SCMP_CMP_MASKED_EQ"))));
            // clone3 passes its flags in memory, where seccomp can't look: make libc fall back to clone.
            rules.add(new OciSpec.Syscall(List.of("clone3"), "SCMP_ACT_ERRNO", ENOSYS, null));
        }
        // personality: only the harmless execution domains (Linux, 32-bit, UNAME26, query).
        for (long persona : new long[] {0x0L, 0x8L, 0x20000L, 0x20008L, 0xffffffffL}) {
            rules.add(new OciSpec.Syscall(List.of("personality"), "SCMP_ACT_ALLOW", null,
                    List.of(new OciSpec.SeccompArg(0, persona, null, "SCMP_CMP_EQ"))));
        }
        return new OciSpec.Seccomp("SCMP_ACT_ERRNO", EPERM,
                List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), null, rules);
    }

    private static OciSpec.Seccomp localhost(String ref, OciJson json) {
        String path = ref.startsWith("localhost/") ? ref.substring("localhost/".length()) : ref;
        if (!path.startsWith("/")) {
            throw BerthException.invalidArgument("seccomp localhost profile must be an absolute path: " + ref);
        }
        OciSpec.Seccomp profile;
        try {
            profile = json.fromBytes(Files.readAllBytes(Path.of(path)), OciSpec.Seccomp.class);
        } catch (IOException | RuntimeException e) {
            throw BerthException.invalidArgument("cannot load seccomp profile " + path + ": " + e.getMessage());
        }
        // runc runs a profile with neither a default action nor syscalls (an empty object) unconfined, and a JSON
        // null leaves no profile at all: the container would run unconfined while its request names a profile.
        if (profile == null || profile.defaultAction() == null || profile.defaultAction().isEmpty()) {
            throw BerthException.invalidArgument("seccomp profile " + path + " has no defaultAction");
        }
        return profile;
    }
}
