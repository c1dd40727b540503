package dev.berth.cri.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The daemon process as the kernel sees it: resident memory, open descriptors, zombie children. */
record DaemonProbe(long pid) {

    long rssKib() {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst().orElseThrow();
        } catch (IOException e) {
            throw new AssertionError("daemon " + pid + " is gone", e);
        }
    }

    int openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new AssertionError("daemon " + pid + " is gone", e);
        }
    }

    /** Zombies whose parent is the daemon or a process of its own (conmon names the state directory). */
    List<String> zombies(String marker) {
        return ProcessHandle.allProcesses().filter(p -> isZombie(p.pid()))
                .filter(p -> p.parent().map(parent -> parent.pid() == pid
                        || parent.info().commandLine().orElse("").contains(marker)).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return false;
        }
    }
}
