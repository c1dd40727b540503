package dev.berth.runtime.host.sys;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Starts a program with {@code posix_spawn}, which (unlike ProcessBuilder) can hand the child file descriptors beyond
 * 0-2: each {@link #dup} puts one of this process's fds on a chosen number in the child. The child gets the JVM's
 * environment plus {@link #env} entries, a clean signal mask and default signal dispositions, and no other fd of
 * this process (every fd above the highest target is closed in the child). The caller owns the returned PID: it must
 * reap it with {@link Syscalls#waitpid}.
 */
public final class NativeSpawn {

    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int F_DUPFD_CLOEXEC = 1030;
    // glibc x86_64/aarch64: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128.
    private static final int ACTIONS_SIZE = 256;
    private static final int ATTRIBUTES_SIZE = 512;
    private static final int SIGSET_SIZE = 256;

    private final Path binary;
    private final List<String> args;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<int[]> dups = new ArrayList<>();
    private final List<Object[]> opens = new ArrayList<>();
    private Path directory;

    private NativeSpawn(Path binary, List<String> args) {
        this.binary = binary;
        this.args = List.copyOf(args);
    }

    /** {@code args} excludes argv[0], which is the binary's path. */
    public static NativeSpawn of(Path binary, List<String> args) {
        return new NativeSpawn(binary, args);
    }

    public NativeSpawn directory(Path dir) {
        this.directory = dir;
        return this;
    }

    public NativeSpawn env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** The child gets {@code fd} (of this process) as {@code target}. */
    public NativeSpawn dup(int fd, int target) {
        dups.add(new int[] {fd, target});
        return this;
    }

    /** The child gets {@code path} opened with {@code flags} as {@code target} (e.g. /dev/null on 0). */
    public NativeSpawn open(int target, Path path, int flags, int mode) {
        opens.add(new Object[] {target, path.toString(), flags, mode});
        return this;
    }

    /** Spawns the child and returns its PID. */
    public int start() {
        Runtime runtime = Syscalls.runtime();
        LibC libc = Syscalls.libc();
        List<Integer> moved = new ArrayList<>();
        Pointer actions = Memory.allocateDirect(runtime, ACTIONS_SIZE, true);
        Pointer attributes = Memory.allocateDirect(runtime, ATTRIBUTES_SIZE, true);
        check("posix_spawn_file_actions_init", libc.posix_spawn_file_actions_init(actions));
        try {
            check("posix_spawnattr_init", libc.posix_spawnattr_init(attributes));
            try {
                int highest = 2;
                for (int[] dup : dups) {
                    highest = Math.max(highest, dup[1]);
                }
                for (Object[] open : opens) {
                    highest = Math.max(highest, (Integer) open[0]);
                }
                for (int[] dup : dups) {
                    // A source among the low fds could be overwritten by an earlier dup2 in the child (pipe fds
                    // 4 and 3 onto 3 and 4): give it a copy above every target first.
                    int source = dup[0];
                    if (source <= highest) {
                        source = libc.fcntl(dup[0], F_DUPFD_CLOEXEC, highest + 1);
                        if (source < 0) {
                            throw new SyscallException("fcntl F_DUPFD_CLOEXEC", runtime.getLastError());
                        }
                        moved.add(source);
                    }
                    check("adddup2", libc.posix_spawn_file_actions_adddup2(actions, source, dup[1]));
                }
                for (Object[] open : opens) {
                    check("addopen", libc.posix_spawn_file_actions_addopen(actions, (Integer) open[0],
                            (String) open[1], (Integer) open[2], (Integer) open[3]));
                }
                if (directory != null) {
                    check("addchdir", libc.posix_spawn_file_actions_addchdir_np(actions, directory.toString()));
                }
                check("addclosefrom", libc.posix_spawn_file_actions_addclosefrom_np(actions, highest + 1));
                Pointer empty = Memory.allocateDirect(runtime, SIGSET_SIZE, true);
                Pointer all = Memory.allocateDirect(runtime, SIGSET_SIZE, true);
                libc.sigemptyset(empty);
                libc.sigfillset(all);
                check("setsigmask", libc.posix_spawnattr_setsigmask(attributes, empty));
                check("setsigdefault", libc.posix_spawnattr_setsigdefault(attributes, all));
                check("setflags", libc.posix_spawnattr_setflags(attributes,
                        (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)));
                String[] argv = new String[args.size() + 1];
                argv[0] = binary.toString();
                for (int i = 0; i < args.size(); i++) {
                    argv[i + 1] = args.get(i);
                }
                Map<String, String> environment = new LinkedHashMap<>(System.getenv());
                environment.putAll(env);
                String[] envp = environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .toArray(String[]::new);
                int[] pid = new int[1];
                int error = libc.posix_spawn(pid, binary.toString(), actions, attributes, argv, envp);
                if (error != 0) {
                    throw new SyscallException("posix_spawn " + binary, error);
                }
                return pid[0];
            } finally {
                libc.posix_spawnattr_destroy(attributes);
            }
        } finally {
            libc.posix_spawn_file_actions_destroy(actions);
            moved.forEach(Syscalls.descriptors()::close);
        }
    }

    private static void check(String call, int error) {
        if (error != 0) {
            throw new SyscallException(call, error);
        }
    }
}
