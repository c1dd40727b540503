package dev.berth.runtime.container;

/** Lifecycle of a container. CREATING is berth's own: such a container is hidden from callers. */
public enum ContainerState {
    /** Being set up; the record exists so that recovery can undo a half-made container. */
    CREATING,
    CREATED,
    RUNNING,
    EXITED,
    /** Its process could not be found out (its monitor died and the OCI runtime does not know it). */
    UNKNOWN
}
