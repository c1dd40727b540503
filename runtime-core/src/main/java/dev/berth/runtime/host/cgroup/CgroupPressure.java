package dev.berth.runtime.host.cgroup;

import java.util.Optional;

/**
 * CPU, memory and IO pressure of a cgroup; each is absent where the host has no pressure file for it (a cgroup v1
 * host without a cgroup2 mount, or a kernel booted with psi=0).
 */
public record CgroupPressure(Optional<Psi> cpu, Optional<Psi> memory, Optional<Psi> io) {

    public static final CgroupPressure NONE = new CgroupPressure(Optional.empty(), Optional.empty(), Optional.empty());
}
