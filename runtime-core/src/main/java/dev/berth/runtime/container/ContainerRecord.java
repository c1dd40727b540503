package dev.berth.runtime.container;

import java.util.List;
import java.util.Map;

/**
 * Everything berth keeps about a container; persisted as JSON and served from memory as its status. Immutable:
 * state changes make a new record. Times are nanoseconds since the epoch, 0 for "not yet".
 *
 * @param name the CRI metadata name, unique with {@code attempt} within the pod
 * @param imageRef the digested image reference in use
 * @param imageId the node-local image ID (== PullImageResponse.image_ref)
 * @param exitCode meaningful once {@code finishedAt != 0}
 * @param reason {@code Completed}, {@code Error}, {@code OOMKilled} or {@code StartError} once exited
 * @param logPath the absolute CRI log path; empty when the kubelet asked for none
 * @param stopSignal the canonical name of the signal Stop sends first
 * @param cgroupsPath the OCI {@code linux.cgroupsPath} (stats and cleanup)
 * @param pid the init process's host PID while it runs; 0 otherwise
 * @param fingerprint digest of the CreateContainer request, to recognize its retries
 */
public record ContainerRecord(
        String id,
        String sandboxId,
        String name,
        int attempt,
        ContainerState state,
        ImageName image,
        String imageRef,
        String imageId,
        long createdAt,
        long startedAt,
        long finishedAt,
        int exitCode,
        String reason,
        String message,
        Map<String, String> labels,
        Map<String, String> annotations,
        List<MountSpec> mounts,
        String logPath,
        ResourceLimits resources,
        ProcessUser user,
        String stopSignal,
        String runtimeHandler,
        String cgroupsPath,
        boolean tty,
        boolean stdin,
        boolean stdinOnce,
        int pid,
        String fingerprint) {

    public ContainerRecord {
        imageRef = imageRef == null ? "" : imageRef;
        imageId = imageId == null ? "" : imageId;
        reason = reason == null ? "" : reason;
        message = message == null ? "" : message;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        logPath = logPath == null ? "" : logPath;
        resources = resources == null ? ResourceLimits.NONE : resources;
        user = user == null ? ProcessUser.ROOT : user;
        stopSignal = stopSignal == null || stopSignal.isEmpty() ? "SIGTERM" : stopSignal;
        cgroupsPath = cgroupsPath == null ? "" : cgroupsPath;
        fingerprint = fingerprint == null ? "" : fingerprint;
    }

    /** The name reserved for this container: unique per pod, name and attempt. */
    public String reservationName() {
        return reservationName(sandboxId, name, attempt);
    }

    public static String reservationName(String sandboxId, String name, int attempt) {
        return sandboxId + "/" + name + "_" + attempt;
    }

    public boolean isRunning() {
        return state == ContainerState.RUNNING;
    }

    public ContainerRecord created(int newPid) {
        return toBuilder().state(ContainerState.CREATED).pid(newPid).build();
    }

    public ContainerRecord started(long at, int newPid) {
        return toBuilder().state(ContainerState.RUNNING).startedAt(at).pid(newPid).build();
    }

    public ContainerRecord exited(long at, int code, String newReason, String newMessage) {
        return toBuilder().state(ContainerState.EXITED).finishedAt(at).exitCode(code).reason(newReason)
                .message(newMessage).pid(0).build();
    }

    public ContainerRecord withResources(ResourceLimits newResources) {
        return toBuilder().resources(newResources).build();
    }

    /** Whether every label of the selector is on this container with the same value. */
    public boolean matchesLabels(Map<String, String> selector) {
        for (Map.Entry<String, String> wanted : selector.entrySet()) {
            if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** A builder with every field unset (null, 0, false: the constructor's defaults apply). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this record's fields, to make a copy that differs in a few. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Names the fields it sets, so that no call site lists all of them in order. Not thread-safe. */
    public static final class Builder {
        private String id;
        private String sandboxId;
        private String name;
        private int attempt;
        private ContainerState state;
        private ImageName image;
        private String imageRef;
        private String imageId;
        private long createdAt;
        private long startedAt;
        private long finishedAt;
        private int exitCode;
        private String reason;
        private String message;
        private Map<String, String> labels;
        private Map<String, String> annotations;
        private List<MountSpec> mounts;
        private String logPath;
        private ResourceLimits resources;
        private ProcessUser user;
        private String stopSignal;
        private String runtimeHandler;
        private String cgroupsPath;
        private boolean tty;
        private boolean stdin;
        private boolean stdinOnce;
        private int pid;
        private String fingerprint;

        private Builder() {
        }

        private Builder(ContainerRecord r) {
            id = r.id;
            sandboxId = r.sandboxId;
            name = r.name;
            attempt = r.attempt;
            state = r.state;
            image = r.image;
            imageRef = r.imageRef;
            imageId = r.imageId;
            createdAt = r.createdAt;
            startedAt = r.startedAt;
            finishedAt = r.finishedAt;
            exitCode = r.exitCode;
            reason = r.reason;
            message = r.message;
            labels = r.labels;
            annotations = r.annotations;
            mounts = r.mounts;
            logPath = r.logPath;
            resources = r.resources;
            user = r.user;
            stopSignal = r.stopSignal;
            runtimeHandler = r.runtimeHandler;
            cgroupsPath = r.cgroupsPath;
            tty = r.tty;
            stdin = r.stdin;
            stdinOnce = r.stdinOnce;
            pid = r.pid;
            fingerprint = r.fingerprint;
        }

        public Builder id(String value) {
            id = value;
            return this;
        }

        public Builder sandboxId(String value) {
            sandboxId = value;
            return this;
        }

        public Builder name(String value) {
            name = value;
            return this;
        }

        public Builder attempt(int value) {
            attempt = value;
            return this;
        }

        public Builder state(ContainerState value) {
            state = value;
            return this;
        }

        public Builder image(ImageName value) {
            image = value;
            return this;
        }

        public Builder imageRef(String value) {
            imageRef = value;
            return this;
        }

        public Builder imageId(String value) {
            imageId = value;
            return this;
        }

        public Builder createdAt(long value) {
            createdAt = value;
            return this;
        }

        public Builder startedAt(long value) {
            startedAt = value;
            return this;
        }

        public Builder finishedAt(long value) {
            finishedAt = value;
            return this;
        }

        public Builder exitCode(int value) {
            exitCode = value;
            return this;
        }

        public Builder reason(String value) {
            reason = value;
            return this;
        }

        public Builder message(String value) {
            message = value;
            return this;
        }

        public Builder labels(Map<String, String> value) {
            labels = value;
            return this;
        }

        public Builder annotations(Map<String, String> value) {
            annotations = value;
            return this;
        }

        public Builder mounts(List<MountSpec> value) {
            mounts = value;
            return this;
        }

        public Builder logPath(String value) {
            logPath = value;
            return this;
        }

        public Builder resources(ResourceLimits value) {
            resources = value;
            return this;
        }

        public Builder user(ProcessUser value) {
            user = value;
            return this;
        }

        public Builder stopSignal(String value) {
            stopSignal = value;
            return this;
        }

        public Builder runtimeHandler(String value) {
            runtimeHandler = value;
            return this;
        }

        public Builder cgroupsPath(String value) {
            cgroupsPath = value;
            return this;
        }

        public Builder tty(boolean value) {
            tty = value;
            return this;
        }

        public Builder stdin(boolean value) {
            stdin = value;
            return this;
        }

        public Builder stdinOnce(boolean value) {
            stdinOnce = value;
            return this;
        }

        public Builder pid(int value) {
            pid = value;
            return this;
        }

        public Builder fingerprint(String value) {
            fingerprint = value;
            return this;
        }

        public ContainerRecord build() {
            return new ContainerRecord(id, sandboxId, name, attempt, state, image, imageRef, imageId, createdAt,
                    startedAt, finishedAt, exitCode, reason, message, labels, annotations, mounts, logPath, resources,
                    user, stopSignal, runtimeHandler, cgroupsPath, tty, stdin, stdinOnce, pid, fingerprint);
        }
    }
}
