package dev.berth.cri.config;

/** Where the CRI socket lives and how the daemon talks and logs. */
public record ServerSection(String socket, Integer maxMessageBytes, String logLevel, Integer shutdownGraceSeconds,
                            Integer eventBuffer) {

    public static final String DEFAULT_SOCKET = "/run/berth/berth.sock";

    public ServerSection {
        socket = socket == null ? DEFAULT_SOCKET : socket;
        // Requests only (answers are not capped): containerd's 16 MiB. No kubelet request comes near it.
        maxMessageBytes = maxMessageBytes == null ? 16 * 1024 * 1024 : maxMessageBytes;
        logLevel = logLevel == null ? "info" : logLevel;
        shutdownGraceSeconds = shutdownGraceSeconds == null ? 10 : shutdownGraceSeconds;
        eventBuffer = eventBuffer == null ? 1024 : eventBuffer;
    }

    static ServerSection defaults() {
        return new ServerSection(null, null, null, null, null);
    }

    static ServerSection read(ConfigTable table) {
        if (table == null) {
            return defaults();
        }
        ServerSection section = new ServerSection(table.string("socket"), table.integer("max_message_bytes"),
                table.string("log_level"), table.integer("shutdown_grace_seconds"), table.integer("event_buffer"));
        table.rejectUnknownKeys();
        return section;
    }
}
