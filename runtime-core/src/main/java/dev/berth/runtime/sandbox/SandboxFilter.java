package dev.berth.runtime.sandbox;

import java.util.Map;

/**
 * ListPodSandbox's filter; every set field must match; an unset field matches
 * everything, and an ID may be a unique prefix.
 *
 * @param idPrefix an ID or a prefix of one; empty matches all
 * @param state the wanted state; null matches all
 * @param labelSelector labels that must all be present with these values
 */
public record SandboxFilter(String idPrefix, SandboxState state, Map<String, String> labelSelector) {

    public static final SandboxFilter ALL = new SandboxFilter("", null, Map.of());

    public SandboxFilter {
        idPrefix = idPrefix == null ? "" : idPrefix;
        labelSelector = labelSelector == null ? Map.of() : Map.copyOf(labelSelector);
    }

    public boolean matches(SandboxRecord sandbox) {
        return sandbox.id().startsWith(idPrefix) && (state == null || sandbox.state() == state)
                && sandbox.matchesLabels(labelSelector);
    }
}
