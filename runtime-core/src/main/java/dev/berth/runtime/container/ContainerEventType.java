package dev.berth.runtime.container;

/** The container lifecycle events of GetContainerEvents. */
public enum ContainerEventType {
    CONTAINER_CREATED,
    CONTAINER_STARTED,
    CONTAINER_STOPPED,
    CONTAINER_DELETED
}
