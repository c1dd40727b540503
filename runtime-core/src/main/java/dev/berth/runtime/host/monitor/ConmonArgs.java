package dev.berth.runtime.host.monitor;

import dev.berth.runtime.host.oci.OciRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * conmon's command line, one method per way berth runs it. Every mode shares the head (API, IDs, runtime) and the
 * tail (exit, persist and socket dirs, log level, the runtime's global args); the middle says what conmon monitors.
 */
record ConmonArgs(ConmonSettings settings, OciRuntime runtime) {

    private static final long STREAM_LOG_MAX = 1024 * 1024;

    /** A container: conmon runs {@code runtime create} on the bundle and stays as its monitor. */
    List<String> create(String id, ConmonLaunch launch, MonitorFiles files, Path logPath) {
        List<String> argv = head(id, id);
        argv.addAll(List.of(
                "-b", launch.bundle().toAbsolutePath().toString(),
                "-p", files.containerPidFile().toString(),
                "-P", files.conmonPidFile().toString(),
                "-l", "k8s-file:" + logPath));
        tail(argv, settings.exitDir(), launch.persistDir().toAbsolutePath());
        if (launch.stdin()) {
            argv.add("-i");
            if (!launch.stdinOnce()) {
                argv.add("--leave-stdin-open");
            }
        }
        if (launch.tty()) {
            argv.add("-t");
        }
        if (launch.logSizeMax() > 0) {
            argv.add("--log-size-max");
            argv.add(Long.toString(launch.logSizeMax()));
        }
        return argv;
    }

    /**
     * A synchronous exec: conmon runs {@code runtime exec} and stays in the foreground ({@code --sync}, so the
     * process berth spawned is the monitor); the output goes to the scratch dir's log. {@code timeoutSeconds} &gt; 0
     * is conmon's -T.
     */
    List<String> execSync(String id, String execId, ExecFiles files, long timeoutSeconds) {
        List<String> argv = head(id, execId);
        argv.addAll(List.of(
                "-e",
                "--exec-process-spec", files.processSpec().toString(),
                "-p", files.pidFile().toString(),
                "--sync",
                "-l", "k8s-file:" + files.log()));
        // The exit file lands in the scratch dir: the exit dir is watched for containers only.
        tail(argv, files.dir(), files.dir());
        if (timeoutSeconds > 0) {
            argv.add("-T");
            argv.add(Long.toString(timeoutSeconds));
        }
        return argv;
    }

    /**
     * A streaming exec (CRI Exec): like {@link #execSync} (foreground, so berth reaps it and its sync pipe reports
     * the PID then the exit), plus {@code -b} on the scratch dir, where conmon makes the exec's own attach socket and
     * control FIFO, and {@code --exec-attach}, so that it waits for berth to connect before it runs the process.
     */
    List<String> execAttach(String id, String execId, ExecFiles files, boolean stdin, boolean tty) {
        List<String> argv = head(id, execId);
        argv.addAll(List.of(
                "-e",
                "--exec-attach",
                "--exec-process-spec", files.processSpec().toString(),
                "-b", files.dir().toString(),
                "-p", files.pidFile().toString(),
                "--sync",
                // The output also lands in this log (conmon always logs): bounded, and removed with the dir.
                "-l", "k8s-file:" + files.log(),
                "--log-size-max", Long.toString(STREAM_LOG_MAX)));
        tail(argv, files.dir(), files.dir());
        if (stdin) {
            argv.add("-i");
        }
        if (tty) {
            argv.add("-t");
        }
        return argv;
    }

    /** {@code -u} names the socket-dir link; an exec gets its own so that it never replaces the container's. */
    private List<String> head(String containerId, String socketOwner) {
        return new ArrayList<>(List.of(
                "--api-version",
                "-c", containerId,
                "-u", ConmonSettings.socketName(socketOwner),
                "-r", runtime.binary().toString()));
    }

    private void tail(List<String> argv, Path exitDir, Path persistDir) {
        argv.addAll(List.of(
                "--exit-dir", exitDir.toString(),
                "--persist-dir", persistDir.toString(),
                "--socket-dir-path", settings.socketDir().toString(),
                "--log-level", "error"));
        for (String arg : runtime.globalArgs()) {
            argv.add("--runtime-arg");
            argv.add(arg);
        }
        if (runtime.systemdCgroup()) {
            argv.add("-s");
        }
    }
}
