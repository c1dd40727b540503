package dev.berth.runtime.host.ns;

/** The namespaces a pod sandbox pins; each kind's pins live in its own directory under {@code <stateDir>/ns}. */
public enum NamespaceKind {
    NET("net", "network"),
    IPC("ipc", "ipc"),
    UTS("uts", "uts"),
    /** A pod's own user namespace (userns_options mode POD); it owns the pod's other pinned namespaces. */
    USER("user", "user");

    private final String dirName;
    private final String ociType;

    NamespaceKind(String dirName, String ociType) {
        this.dirName = dirName;
        this.ociType = ociType;
    }

    /** Directory under the pin root, and the util-linux option name ({@code --net=FILE}). */
    public String dirName() {
        return dirName;
    }

    /** The namespace type name in an OCI runtime spec. */
    public String ociType() {
        return ociType;
    }
}
