package dev.berth.runtime.container;

import java.util.Map;

/**
 * ListContainers' (and ListContainerStats') filter; every set field must match; an unset
 * field matches everything, and an ID may be a unique prefix.
 *
 * @param idPrefix an ID or a prefix of one; empty matches all
 * @param state the wanted state; null matches all
 * @param sandboxIdPrefix the pod's ID or a prefix of it; empty matches all
 * @param labelSelector labels that must all be present with these values
 */
public record ContainerFilter(String idPrefix, ContainerState state, String sandboxIdPrefix,
                              Map<String, String> labelSelector) {

    public static final ContainerFilter ALL = new ContainerFilter("", null, "", Map.of());

    public ContainerFilter {
        idPrefix = idPrefix == null ? "" : idPrefix;
        sandboxIdPrefix = sandboxIdPrefix == null ? "" : sandboxIdPrefix;
        labelSelector = labelSelector == null ? Map.of() : Map.copyOf(labelSelector);
    }

    public boolean matches(ContainerRecord container) {
        return container.id().startsWith(idPrefix) && (state == null || container.state() == state)
                && container.sandboxId().startsWith(sandboxIdPrefix) && container.matchesLabels(labelSelector);
    }
}
