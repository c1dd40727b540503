package dev.berth.cri.config;

import java.util.LinkedHashMap;
import java.util.Map;

/** OCI runtime handlers and the cgroup driver reported to the kubelet. */
public record RuntimeSection(String defaultHandler, String cgroupDriver, Map<String, HandlerSection> handlers,
                             Long shmSizeBytes, Integer stopTimeoutSeconds) {

    public RuntimeSection {
        defaultHandler = defaultHandler == null ? "runc" : defaultHandler;
        cgroupDriver = cgroupDriver == null ? "cgroupfs" : cgroupDriver;
        handlers = handlers == null ? defaultHandlers() : Map.copyOf(new LinkedHashMap<>(handlers));
        shmSizeBytes = shmSizeBytes == null ? 64L * 1024 * 1024 : shmSizeBytes;
        stopTimeoutSeconds = stopTimeoutSeconds == null ? 10 : stopTimeoutSeconds;
    }

    private static Map<String, HandlerSection> defaultHandlers() {
        Map<String, HandlerSection> handlers = new LinkedHashMap<>();
        handlers.put("runc", new HandlerSection("/usr/sbin/runc"));
        handlers.put("crun", new HandlerSection("/usr/bin/crun"));
        return handlers;
    }

    static RuntimeSection defaults() {
        return new RuntimeSection(null, null, null, null, null);
    }
}
