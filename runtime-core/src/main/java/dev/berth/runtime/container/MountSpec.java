package dev.berth.runtime.container;

/**
 * A mount the kubelet asked for, reported back in status as given.
 *
 * @param propagation PRIVATE, HOST_TO_CONTAINER or BIDIRECTIONAL
 */
public record MountSpec(String containerPath, String hostPath, boolean readonly, boolean selinuxRelabel,
                        String propagation, boolean recursiveReadOnly) {

    public MountSpec {
        hostPath = hostPath == null ? "" : hostPath;
        propagation = propagation == null || propagation.isEmpty() ? "PRIVATE" : propagation;
    }
}
