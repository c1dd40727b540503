package dev.berth.cri.config;

/** Where the CRI socket lives and how the daemon talks and logs. */
public record ServerSection(String socket, Integer maxMessageBytes, String logLevel, Integer shutdownGraceSeconds,
                            Integer eventBuffer) {

    public static final String DEFAULT_SOCKET = "/run/berth/berth.sock";

    public ServerSection {
        socket = socket == null ? DEFAULT_SOCKET : socket;
        // The kubelet's client caps messages at 16 MiB; list RPCs on large nodes need more room on our side.
        maxMessageBytes = maxMessageBytes == null ? 16 * 1024 * 1024 : maxMessageBytes;
        logLevel = logLevel == null ? "info" : logLevel;
        shutdownGraceSeconds = shutdownGraceSeconds == null ? 10 : shutdownGraceSeconds;
        eventBuffer = eventBuffer == null ? 1024 : eventBuffer;
    }

    static ServerSection defaults() {
        return new ServerSection(null, null, null, null, null);
    }
}
