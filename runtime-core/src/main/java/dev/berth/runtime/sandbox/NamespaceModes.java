package dev.berth.runtime.sandbox;

/**
 * A pod's namespace choices as the kubelet gave them.
 *
 * @param targetId the container whose namespaces TARGET modes join; empty otherwise
 */
public record NamespaceModes(NamespaceMode network, NamespaceMode pid, NamespaceMode ipc, String targetId) {

    public static final NamespaceModes DEFAULT =
            new NamespaceModes(NamespaceMode.POD, NamespaceMode.CONTAINER, NamespaceMode.POD, "");

    public NamespaceModes {
        network = network == null ? NamespaceMode.POD : network;
        pid = pid == null ? NamespaceMode.CONTAINER : pid;
        ipc = ipc == null ? NamespaceMode.POD : ipc;
        targetId = targetId == null ? "" : targetId;
    }

    public boolean hostNetwork() {
        return network == NamespaceMode.NODE;
    }
}
