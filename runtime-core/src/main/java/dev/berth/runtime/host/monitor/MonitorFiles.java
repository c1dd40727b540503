package dev.berth.runtime.host.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The files conmon keeps in a container's persist directory. */
public record MonitorFiles(Path persistDir) {

    /** conmon's own PID (written by conmon after it daemonized). */
    public Path conmonPidFile() {
        return persistDir.resolve("conmon.pid");
    }

    /** The container init's PID (runc's --pid-file). */
    public Path containerPidFile() {
        return persistDir.resolve("pidfile");
    }

    /** Present after any OOM kill in the container's cgroup. */
    public Path oomFile() {
        return persistDir.resolve("oom");
    }

    /** conmon's copy of the exit code. */
    public Path exitFile() {
        return persistDir.resolve("exit");
    }

    /** conmon's stderr (diagnostics when it dies before reporting). */
    public Path conmonLog() {
        return persistDir.resolve("conmon.log");
    }

    public OptionalLong conmonPid() {
        return readPid(conmonPidFile());
    }

    public OptionalLong containerPid() {
        return readPid(containerPidFile());
    }

    static OptionalLong readPid(Path file) {
        try {
            String text = Files.readString(file).strip();
            return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
