package dev.berth.cri.metrics;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts this process's children in state Z (exited, not yet reaped): a growing count means berth forgets to wait
 * for what it spawns. Reads the kernel's per-thread child lists instead of scanning all of /proc.
 */
final class ZombieProcesses {

    private final Path tasks;

    ZombieProcesses() {
        this(Path.of("/proc/self/task"));
    }

    ZombieProcesses(Path tasks) {
        this.tasks = tasks;
    }

    /** Zombie children now; -1 when the kernel offers no child lists. */
    int count() {
        int zombies = 0;
        boolean any = false;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path thread : threads) {
                String children;
                try {
                    children = Files.readString(thread.resolve("children"));
                } catch (IOException e) {
                    continue; // the thread ended, or no CONFIG_PROC_CHILDREN
                }
                any = true;
                for (String pid : children.trim().split(" ")) {
                    if (!pid.isEmpty() && isZombie(pid)) {
                        zombies++;
                    }
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return any ? zombies : -1;
    }

    private static boolean isZombie(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // "pid (comm) S ...": the command may hold spaces and parentheses, the state follows the last ')'.
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return false; // reaped meanwhile
        }
    }
}
