package dev.berth.runtime.host.oci;

/** A container's PID namespace: the pod's (shared infra), its own, the node's, or another container's. */
public enum PidMode {
    POD,
    CONTAINER,
    NODE,
    TARGET
}
