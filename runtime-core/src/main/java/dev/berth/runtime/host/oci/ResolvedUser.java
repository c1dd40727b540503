package dev.berth.runtime.host.oci;

import java.util.List;

/** The identity a container's first process runs as. */
public record ResolvedUser(long uid, long gid, List<Long> additionalGids) {

    public ResolvedUser {
        additionalGids = List.copyOf(additionalGids);
    }
}
