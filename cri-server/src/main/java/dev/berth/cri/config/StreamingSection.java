package dev.berth.cri.config;

/** The HTTP server for exec/attach/port-forward; loopback only, the kubelet proxies streams. */
public record StreamingSection(String address) {

    public StreamingSection {
        address = address == null ? "127.0.0.1:0" : address;
    }

    static StreamingSection defaults() {
        return new StreamingSection(null);
    }
}
