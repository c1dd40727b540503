package dev.berth.bench;

import dev.berth.bench.host.DaemonProcess;
import dev.berth.bench.host.WorkDir;
import dev.berth.proto.runtime.v1.VersionResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A runtime daemon the bench started and drives over CRI, launched and stopped the same way for berth and
 * containerd: its log is {@code <work>/<label>.log}; stopping removes its pods through CRI first, then stops the
 * process by its PID and keeps the log. What outlives the daemon is each runtime's own to sweep.
 */
final class RunningDaemon {

    private static final Logger LOG = LoggerFactory.getLogger(RunningDaemon.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final String label;
    private final DaemonProcess process;
    private final CriEndpoint endpoint;

    private RunningDaemon(String label, DaemonProcess process, CriEndpoint endpoint) {
        this.label = label;
        this.process = process;
        this.endpoint = endpoint;
    }

    /** Starts {@code argv} in the work dir and connects to {@code socket}; {@link #awaitReady} waits for service. */
    static RunningDaemon launch(String label, List<String> argv, WorkDir work, Path socket) {
        DaemonProcess process = DaemonProcess.start(argv, log(work, label), work.path());
        return new RunningDaemon(label, process, CriEndpoint.connect(label, socket));
    }

    /** @param requireNetwork also wait for NetworkReady (see {@link Readiness}) */
    VersionResponse awaitReady(boolean requireNetwork) {
        VersionResponse version = Readiness.await(process, endpoint, START_TIMEOUT, requireNetwork);
        LOG.info("started {} {} pid={}", version.getRuntimeName(), version.getRuntimeVersion(), process.pid());
        return version;
    }

    CriEndpoint endpoint() {
        return endpoint;
    }

    long pid() {
        return process.pid();
    }

    /** Removes the pods while the daemon still answers, stops it within {@code grace}, copies its log; notes. */
    List<String> stop(Duration grace, Optional<Path> logCopyDir) {
        List<String> notes = new ArrayList<>();
        if (process.isAlive()) {
            notes.addAll(PodSweeper.removeAllPods(endpoint));
        }
        endpoint.close();
        int exit = process.stop(grace);
        LOG.info("stopped {} pid={} exit={}", label, process.pid(), exit);
        notes.addAll(DaemonLogs.copy(process.log(), logCopyDir, label + ".log"));
        return notes;
    }

    /** The log's last lines, for a start-up failure's message. */
    static String logTail(WorkDir work, String label) {
        try {
            List<String> lines = Files.readAllLines(log(work, label), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no " + label + " log)";
        }
    }

    private static Path log(WorkDir work, String label) {
        return work.resolve(label + ".log");
    }
}
