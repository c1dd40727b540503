package dev.berth.runtime.container;

import java.util.List;

/** The identity a container's first process runs as. */
public record ProcessUser(long uid, long gid, List<Long> supplementalGroups) {

    public static final ProcessUser ROOT = new ProcessUser(0, 0, List.of());

    public ProcessUser {
        supplementalGroups = supplementalGroups == null ? List.of() : List.copyOf(supplementalGroups);
    }
}
