package dev.berth.runtime.host.ns;

/**
 * A pod's user namespace mapping as the kubelet gives it: one range of uids and one of gids, each starting at
 * container id 0 (root in the pod).
 *
 * @param hostUid the host uid of the pod's root
 * @param uidLength how many uids are mapped
 * @param hostGid the host gid of the pod's root
 * @param gidLength how many gids are mapped
 */
public record UserNamespaceMapping(long hostUid, long uidLength, long hostGid, long gidLength) {

    public UserNamespaceMapping {
        if (uidLength <= 0 || gidLength <= 0) {
            throw new IllegalArgumentException("a user namespace mapping maps at least one id");
        }
    }

    /** The line for {@code /proc/<pid>/uid_map}. */
    public String uidMapLine() {
        return "0 " + hostUid + " " + uidLength + "\n";
    }

    /** The line for {@code /proc/<pid>/gid_map}. */
    public String gidMapLine() {
        return "0 " + hostGid + " " + gidLength + "\n";
    }
}
