package dev.berth.bench;

import dev.berth.bench.host.DaemonProcess;
import dev.berth.bench.host.UnixSockets;
import dev.berth.proto.runtime.v1.RuntimeCondition;
import dev.berth.proto.runtime.v1.StatusRequest;
import dev.berth.proto.runtime.v1.StatusResponse;
import dev.berth.proto.runtime.v1.VersionResponse;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.stream.Collectors;

/** Waits until a freshly started daemon serves CRI: socket accepts, Version answers, Status says ready. */
final class Readiness {

    private Readiness() {
    }

    /**
     * @param requireNetwork also wait for NetworkReady (containerd loads its CNI config asynchronously; berth's
     *                       pod network may still be unfinished, which the scenarios then report)
     */
    static VersionResponse await(DaemonProcess daemon, CriEndpoint endpoint, Duration timeout,
                                 boolean requireNetwork) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "socket never accepted";
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new IllegalStateException(endpoint.label() + " exited during start-up (log: " + daemon.log()
                        + ")");
            }
            if (UnixSockets.accepts(endpoint.socket())) {
                try {
                    VersionResponse version = endpoint.version();
                    StatusResponse status = endpoint.runtime(Duration.ofSeconds(5))
                            .status(StatusRequest.getDefaultInstance());
                    if (ready(status, "RuntimeReady") && (!requireNetwork || ready(status, "NetworkReady"))) {
                        return version;
                    }
                    last = "not ready: " + status.getStatus().getConditionsList().stream()
                            .map(c -> c.getType() + "=" + c.getStatus() + " " + c.getReason() + " " + c.getMessage())
                            .collect(Collectors.joining("; "));
                } catch (StatusRuntimeException e) {
                    last = e.getStatus().toString();
                }
            }
            sleep(50);
        }
        throw new IllegalStateException(endpoint.label() + " not serving within " + timeout.toSeconds() + " s: "
                + last);
    }

    private static boolean ready(StatusResponse status, String type) {
        return status.getStatus().getConditionsList().stream()
                .filter(c -> c.getType().equals(type))
                .anyMatch(RuntimeCondition::getStatus);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the daemon", e);
        }
    }
}
