package dev.berth.cri.soak;

import dev.berth.common.exec.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * The live heap by class, in bytes, after the full collection that taking it forces ({@code jcmd
     * GC.class_histogram}); a heap left large by a busy stretch shrinks again, so what stays is what is held.
     */
    Map<String, Long> liveHeapByClass() {
        Map<String, Long> bytes = new HashMap<>();
        for (String line : Command.of("jcmd", Long.toString(pid), "GC.class_histogram").run().stdoutText().split("\n")) {
            // "   1:   12345   678901  java.lang.String (java.base@17)"
            String[] cols = line.strip().split("\\s+");
            if (cols.length >= 4 && cols[0].endsWith(":") && cols[2].chars().allMatch(Character::isDigit)) {
                bytes.merge(cols[3], Long.parseLong(cols[2]), Long::sum);
            }
        }
        return bytes;
    }

    /** The classes whose live bytes grew most between two histograms, largest first. */
    static List<String> growth(Map<String, Long> before, Map<String, Long> after, int limit) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit).map(e -> e.getKey() + " +" + e.getValue() + " B").toList();
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
