package dev.berth.runtime.host.monitor;

import java.nio.file.Path;

/** A created container and its monitor: the container's init PID and conmon's own PID. */
public record MonitoredContainer(String containerId, int pid, long conmonPid, Path attachSocket) {
}
