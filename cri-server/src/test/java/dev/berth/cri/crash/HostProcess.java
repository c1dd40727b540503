package dev.berth.cri.crash;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process identified as the kernel does: its PID and its start time, so a reused PID is not taken for it. */
record HostProcess(long pid, String startTime) {

    static HostProcess of(long pid) {
        String start = startTime(pid);
        if (start == null) {
            throw new AssertionError("process " + pid + " is gone");
        }
        return new HostProcess(pid, start);
    }

    boolean alive() {
        return startTime.equals(startTime(pid));
    }

    private static String startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name (which may hold spaces) start after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields[0].equals("Z") ? null : fields[19];
        } catch (IOException gone) {
            return null;
        }
    }
}
