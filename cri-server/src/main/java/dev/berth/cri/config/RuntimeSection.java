package dev.berth.cri.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OCI runtime handlers, the cgroup driver reported to the kubelet, and what a container that names no seccomp profile
 * gets ({@code unsetSeccompProfile}: "" unconfined, as the CRI API defines it; "runtime/default" opts in).
 */
public record RuntimeSection(String defaultHandler, String cgroupDriver, Map<String, HandlerSection> handlers,
                             Long shmSizeBytes, Integer stopTimeoutSeconds, String unsetSeccompProfile) {

    public static final String RUNTIME_DEFAULT_PROFILE = "runtime/default";

    public RuntimeSection {
        defaultHandler = defaultHandler == null ? "runc" : defaultHandler;
        cgroupDriver = cgroupDriver == null ? "cgroupfs" : cgroupDriver;
        handlers = handlers == null ? defaultHandlers() : Map.copyOf(new LinkedHashMap<>(handlers));
        shmSizeBytes = shmSizeBytes == null ? 64L * 1024 * 1024 : shmSizeBytes;
        stopTimeoutSeconds = stopTimeoutSeconds == null ? 10 : stopTimeoutSeconds;
        unsetSeccompProfile = unsetSeccompProfile == null ? "" : unsetSeccompProfile;
    }

    private static Map<String, HandlerSection> defaultHandlers() {
        Map<String, HandlerSection> handlers = new LinkedHashMap<>();
        handlers.put("runc", new HandlerSection("/usr/sbin/runc"));
        handlers.put("crun", new HandlerSection("/usr/bin/crun"));
        return handlers;
    }

    static RuntimeSection defaults() {
        return new RuntimeSection(null, null, null, null, null, null);
    }

    static RuntimeSection read(ConfigTable table) {
        if (table == null) {
            return defaults();
        }
        Map<String, ConfigTable> handlerTables = table.namedTables("handlers");
        Map<String, HandlerSection> handlers = null;
        if (handlerTables != null) {
            handlers = new LinkedHashMap<>();
            for (Map.Entry<String, ConfigTable> handler : handlerTables.entrySet()) {
                handlers.put(handler.getKey(), HandlerSection.read(handler.getValue()));
            }
        }
        RuntimeSection section = new RuntimeSection(table.string("default_handler"), table.string("cgroup_driver"),
                handlers, table.longInteger("shm_size_bytes"), table.integer("stop_timeout_seconds"),
                table.string("unset_seccomp_profile"));
        table.rejectUnknownKeys();
        return section;
    }
}
