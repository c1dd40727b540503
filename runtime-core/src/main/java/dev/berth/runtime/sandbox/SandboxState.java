package dev.berth.runtime.sandbox;

/** Lifecycle of a pod sandbox. CREATING is berth's own: such a sandbox is hidden from callers. */
public enum SandboxState {
    /** Being set up; the record exists so that recovery can undo a half-made sandbox. */
    CREATING,
    READY,
    NOTREADY
}
