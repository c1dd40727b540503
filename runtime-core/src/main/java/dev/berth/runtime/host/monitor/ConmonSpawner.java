package dev.berth.runtime.host.monitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.sys.NativeSpawn;
import dev.berth.runtime.host.sys.SyscallException;
import dev.berth.runtime.host.sys.Syscalls;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts conmons. conmon takes its sync and start pipes as inherited fds 3 and 4, which ProcessBuilder cannot pass,
 * so it is started with {@code posix_spawn} ({@link NativeSpawn}): the write end of a sync pipe on fd 3, the read end
 * of a start pipe on fd 4, {@code /dev/null} on stdin and stdout, stderr appended to a file, a chosen cwd. Also owns
 * what every spawned conmon shares: the threads that reap a first process that exits late and the JSON reader of
 * the sync pipes.
 */
final class ConmonSpawner {

    private static final Path DEV_NULL = Path.of("/dev/null");

    private final Path binary;
    private final ObjectReader json = new ObjectMapper().reader();
    private final ExecutorService reapers = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "conmon-reaper");
        thread.setDaemon(true);
        return thread;
    });

    ConmonSpawner(Path binary) {
        this.binary = binary;
    }

    /** Starts conmon; it waits for the start byte ({@link ConmonProcess#release}) before it runs the runtime. */
    ConmonProcess spawn(List<String> args, Path directory, Path stderrFile) {
        return spawn(args, directory, stderrFile, -1);
    }

    /**
     * Starts conmon with the write end of {@code attachPipe} on fd 5 ({@code _OCI_ATTACHPIPE}), where
     * {@code --exec-attach} says that its attach socket is ready; the caller closes its own copy afterwards.
     */
    ConmonProcess spawnWithAttachPipe(List<String> args, Path directory, Path stderrFile, int attachPipeWriteEnd) {
        return spawn(args, directory, stderrFile, attachPipeWriteEnd);
    }

    private ConmonProcess spawn(List<String> args, Path directory, Path stderrFile, int attachPipe) {
        int[] sync;
        int[] start;
        try {
            sync = Syscalls.pipe();
        } catch (SyscallException e) {
            throw BerthException.internal("cannot create conmon's pipes: " + e.getMessage(), e);
        }
        try {
            start = Syscalls.pipe();
        } catch (SyscallException e) {
            Syscalls.close(sync[0]);
            Syscalls.close(sync[1]);
            throw BerthException.internal("cannot create conmon's pipes: " + e.getMessage(), e);
        }
        int pid;
        try {
            NativeSpawn spawn = NativeSpawn.of(binary, args)
                    .directory(directory)
                    .env("_OCI_SYNCPIPE", "3")
                    .env("_OCI_STARTPIPE", "4")
                    .dup(sync[1], 3)
                    .dup(start[0], 4)
                    .open(0, DEV_NULL, Syscalls.O_RDONLY, 0)
                    .open(1, DEV_NULL, Syscalls.O_WRONLY, 0)
                    .open(2, stderrFile, Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_APPEND, 0644);
            if (attachPipe >= 0) {
                spawn.env("_OCI_ATTACHPIPE", "5").dup(attachPipe, 5);
            }
            pid = spawn.start();
        } catch (SyscallException e) {
            Syscalls.close(sync[0]);
            Syscalls.close(start[1]);
            throw BerthException.internal("cannot start conmon: " + e.getMessage(), e);
        } finally {
            // The child has its copies; keeping ours would hide conmon's EOF.
            Syscalls.close(sync[1]);
            Syscalls.close(start[0]);
        }
        return new ConmonProcess(pid, start[1], new SyncPipe(sync[0], json), stderrFile, reapers);
    }
}
