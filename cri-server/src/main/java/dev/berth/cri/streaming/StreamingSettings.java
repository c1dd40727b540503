package dev.berth.cri.streaming;

import dev.berth.cri.config.StreamingSection;
import java.time.Duration;

/**
 * Timing of the streaming server. {@code streamCreationTimeout} bounds how long a SPDY client may take to open the
 * streams of a session after the upgrade (30 s, as the kubelet allows).
 */
public record StreamingSettings(Duration idleTimeout, Duration streamCreationTimeout) {

    public static final Duration STREAM_CREATION_TIMEOUT = Duration.ofSeconds(30);

    public static StreamingSettings from(StreamingSection section) {
        return new StreamingSettings(Duration.ofSeconds(section.idleTimeoutSeconds()), STREAM_CREATION_TIMEOUT);
    }
}
