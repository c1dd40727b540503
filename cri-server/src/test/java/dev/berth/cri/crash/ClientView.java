package dev.berth.cri.crash;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What the client was told: the pods and containers whose IDs it received, and what it did to them since. */
final class ClientView {

    enum PodState { READY, STOPPED }

    enum ContainerState { CREATED, RUNNING, EXITED }

    static final class Pod {
        final String id;
        final PodSandboxConfig config;
        PodState state = PodState.READY;

        Pod(String id, PodSandboxConfig config) {
            this.id = id;
            this.config = config;
        }
    }

    static final class Ctr {
        final String id;
        final Pod pod;
        final ContainerConfig config;
        final Path logPath;
        ContainerState state = ContainerState.CREATED;
        /** The container's init process as the host sees it (PID and start time), once it runs. */
        HostProcess process;
        /** Whether it was ever started, so it has a log. */
        boolean started;

        Ctr(String id, Pod pod, ContainerConfig config, Path logPath) {
            this.id = id;
            this.pod = pod;
            this.config = config;
            this.logPath = logPath;
        }
    }

    final Map<String, Pod> pods = new LinkedHashMap<>();
    final Map<String, Ctr> containers = new LinkedHashMap<>();

    Set<String> ids() {
        Set<String> ids = new TreeSet<>(pods.keySet());
        ids.addAll(containers.keySet());
        return ids;
    }

    List<Ctr> containersOf(Pod pod) {
        List<Ctr> result = new ArrayList<>();
        for (Ctr c : containers.values()) {
            if (c.pod == pod) {
                result.add(c);
            }
        }
        return result;
    }

    void podStopped(Pod pod) {
        pod.state = PodState.STOPPED;
        for (Ctr c : containersOf(pod)) {
            // A stopped pod's containers are all exited, including those that were only created (as containerd).
            if (c.state != ContainerState.EXITED) {
                c.state = ContainerState.EXITED;
                c.process = null;
            }
        }
    }

    void podRemoved(Pod pod) {
        containers.values().removeIf(c -> c.pod == pod);
        pods.remove(pod.id);
    }
}
