package dev.berth.cri.config;

/**
 * The HTTP server for exec/attach/port-forward; loopback by default, the kubelet proxies streams. A URL handed out
 * by Exec, Attach or PortForward is good for one use within {@code tokenTtlSeconds}; a stream without traffic for
 * {@code idleTimeoutSeconds} is closed (4 h, the kubelet's own default). TLS is on when both files are set.
 */
public record StreamingSection(String address, Integer tokenTtlSeconds, Integer idleTimeoutSeconds,
                               String tlsCertFile, String tlsKeyFile) {

    public StreamingSection {
        address = address == null ? "127.0.0.1:0" : address;
        tokenTtlSeconds = tokenTtlSeconds == null ? 60 : tokenTtlSeconds;
        idleTimeoutSeconds = idleTimeoutSeconds == null ? 4 * 60 * 60 : idleTimeoutSeconds;
        tlsCertFile = tlsCertFile == null ? "" : tlsCertFile;
        tlsKeyFile = tlsKeyFile == null ? "" : tlsKeyFile;
    }

    static StreamingSection defaults() {
        return new StreamingSection(null, null, null, null, null);
    }

    static StreamingSection read(ConfigTable table) {
        if (table == null) {
            return defaults();
        }
        StreamingSection section = new StreamingSection(table.string("address"), table.integer("token_ttl_seconds"),
                table.integer("idle_timeout_seconds"), table.string("tls_cert_file"), table.string("tls_key_file"));
        table.rejectUnknownKeys();
        return section;
    }

    public boolean tls() {
        return !tlsCertFile.isEmpty();
    }
}
