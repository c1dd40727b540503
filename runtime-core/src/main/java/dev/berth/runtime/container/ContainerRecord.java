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
        return new ContainerRecord(id, sandboxId, name, attempt, ContainerState.CREATED, image, imageRef, imageId,
                createdAt, startedAt, finishedAt, exitCode, reason, message, labels, annotations, mounts, logPath,
                resources, user, stopSignal, runtimeHandler, cgroupsPath, tty, stdin, stdinOnce, newPid,
                fingerprint);
    }

    public ContainerRecord started(long at, int newPid) {
        return new ContainerRecord(id, sandboxId, name, attempt, ContainerState.RUNNING, image, imageRef, imageId,
                createdAt, at, finishedAt, exitCode, reason, message, labels, annotations, mounts, logPath,
                resources, user, stopSignal, runtimeHandler, cgroupsPath, tty, stdin, stdinOnce, newPid,
                fingerprint);
    }

    public ContainerRecord exited(long at, int code, String newReason, String newMessage) {
        return new ContainerRecord(id, sandboxId, name, attempt, ContainerState.EXITED, image, imageRef, imageId,
                createdAt, startedAt, at, code, newReason, newMessage, labels, annotations, mounts, logPath,
                resources, user, stopSignal, runtimeHandler, cgroupsPath, tty, stdin, stdinOnce, 0, fingerprint);
    }

    public ContainerRecord withResources(ResourceLimits newResources) {
        return new ContainerRecord(id, sandboxId, name, attempt, state, image, imageRef, imageId, createdAt,
                startedAt, finishedAt, exitCode, reason, message, labels, annotations, mounts, logPath, newResources,
                user, stopSignal, runtimeHandler, cgroupsPath, tty, stdin, stdinOnce, pid, fingerprint);
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
}
