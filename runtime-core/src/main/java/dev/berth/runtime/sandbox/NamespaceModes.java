package dev.berth.runtime.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.runtime.host.ns.UserNamespaceMapping;

/**
 * A pod's namespace choices as the kubelet gave them.
 *
 * @param targetId the container whose namespaces TARGET modes join; empty otherwise
 * @param userns   the pod's own user namespace mapping (userns_options mode POD); null: the host's user namespace
 */
public record NamespaceModes(NamespaceMode network, NamespaceMode pid, NamespaceMode ipc, String targetId,
        @JsonInclude(JsonInclude.Include.NON_NULL) UserNamespaceMapping userns) {

    public static final NamespaceModes DEFAULT =
            new NamespaceModes(NamespaceMode.POD, NamespaceMode.CONTAINER, NamespaceMode.POD, "");

    public NamespaceModes {
        network = network == null ? NamespaceMode.POD : network;
        pid = pid == null ? NamespaceMode.CONTAINER : pid;
        ipc = ipc == null ? NamespaceMode.POD : ipc;
        targetId = targetId == null ? "" : targetId;
    }

    public NamespaceModes(NamespaceMode network, NamespaceMode pid, NamespaceMode ipc, String targetId) {
        this(network, pid, ipc, targetId, null);
    }

    public boolean hostNetwork() {
        return network == NamespaceMode.NODE;
    }
}
