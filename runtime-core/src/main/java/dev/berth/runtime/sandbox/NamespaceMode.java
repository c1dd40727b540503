package dev.berth.runtime.sandbox;

/** Which namespace a pod or container uses (mirrors CRI NamespaceMode; persisted by name). */
public enum NamespaceMode {
    POD,
    CONTAINER,
    NODE,
    TARGET
}
