package dev.berth.runtime.stats;

import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandFailedException;
import dev.berth.common.exec.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a pod's interface counters without the JVM entering its network namespace (setns from one thread of a
 * multithreaded process is unsafe, and the JVM must never change its own namespaces).
 *
 * <p>/proc/&lt;pid&gt;/net/dev shows the counters of the network namespace that process is in, so the cheap way is
 * to read it through a process known to be in the pod's namespace: a container's init or the pod's PID holder. A
 * PID is only trusted after its /proc/&lt;pid&gt;/ns/net was checked to be the pin's namespace (same nsfs inode), both
 * before and after the read, so a PID reused by an unrelated process never reports another namespace's traffic.
 * When no such process runs (a pod between containers), a short-lived helper joins the pin and prints the file
 * ({@code nsenter --net=<pin> cat /proc/self/net/dev}): one spawn, only for pods with nothing running.
 */
public final class PodNetworkReader {

    private static final Logger LOG = LoggerFactory.getLogger(PodNetworkReader.class);
    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(5);

    private final Path proc;
    private final Path nsenter;
    private final Path cat;

    public PodNetworkReader(Path proc, Path nsenter, Path cat) {
        this.proc = proc;
        this.nsenter = nsenter;
        this.cat = cat;
    }

    /**
     * The counters of every interface in the pinned namespace (loopback included); empty when the pin is gone or
     * could not be read.
     *
     * @param candidatePids host PIDs that may be in the namespace (0 entries are skipped)
     */
    public Optional<List<InterfaceCounters>> read(Path netnsPin, List<Integer> candidatePids) {
        Optional<String> namespace = namespaceOf(netnsPin);
        if (namespace.isEmpty()) {
            return Optional.empty();
        }
        for (int pid : candidatePids) {
            if (pid <= 0 || !inNamespace(pid, namespace.get())) {
                continue;
            }
            try {
                String content = Files.readString(proc.resolve(Integer.toString(pid)).resolve("net/dev"));
                if (inNamespace(pid, namespace.get())) {
                    return Optional.of(NetDev.parse(content));
                }
            } catch (IOException e) {
                // the process exited meanwhile: try the next one
            }
        }
        return viaHelper(netnsPin);
    }

    /** "net:[4026532301]", what /proc/&lt;pid&gt;/ns/net links to for a process in the pinned namespace. */
    private static Optional<String> namespaceOf(Path pin) {
        if (pin == null) {
            return Optional.empty();
        }
        try {
            return Optional.of("net:[" + Files.getAttribute(pin, "unix:ino") + "]");
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private boolean inNamespace(int pid, String namespace) {
        try {
            return Files.readSymbolicLink(proc.resolve(Integer.toString(pid)).resolve("ns/net")).toString()
                    .equals(namespace);
        } catch (IOException e) {
            return false;
        }
    }

    private Optional<List<InterfaceCounters>> viaHelper(Path pin) {
        CommandResult result;
        try {
            result = Command.of(nsenter.toString(), "--net=" + pin, "--", cat.toString(), "/proc/self/net/dev")
                    .withTimeout(HELPER_TIMEOUT).run();
        } catch (CommandFailedException e) {
            LOG.debug("event=pod_netdev_failed pin={} error=\"{}\"", pin, e.getMessage());
            return Optional.empty();
        }
        if (!result.succeeded()) {
            LOG.debug("event=pod_netdev_failed pin={} error=\"{}\"", pin, result.stderrText().strip());
            return Optional.empty();
        }
        return Optional.of(NetDev.parse(result.stdoutText()));
    }
}
