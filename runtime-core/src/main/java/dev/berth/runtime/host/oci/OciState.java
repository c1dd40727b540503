package dev.berth.runtime.host.oci;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;

/** What {@code runc state} says about a container. {@code status}: creating, created, running, paused, stopped. */
public record OciState(String id, String status, int pid, String bundle, String created,
        Map<String, String> annotations) {

    @JsonIgnore
    public boolean isRunning() {
        return "running".equals(status) || "paused".equals(status);
    }

    @JsonIgnore
    public boolean isStopped() {
        return "stopped".equals(status);
    }
}
