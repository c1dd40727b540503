package dev.berth.runtime.host.monitor;

import java.nio.file.Path;

/** The scratch directory of one exec-sync call: conmon's exit and persist dir too, removed when the call ends. */
record ExecFiles(Path dir) {

    /** The OCI process that {@code runtime exec --process} runs. */
    Path processSpec() {
        return dir.resolve("process.json");
    }

    /** The exec'd process's PID (the runtime's --pid-file). */
    Path pidFile() {
        return dir.resolve("pid");
    }

    /** The k8s-file log that carries the exec's stdout and stderr. */
    Path log() {
        return dir.resolve("log");
    }

    /** conmon's stderr. */
    Path conmonLog() {
        return dir.resolve("conmon.log");
    }
}
