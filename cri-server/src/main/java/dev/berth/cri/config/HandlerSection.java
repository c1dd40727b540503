package dev.berth.cri.config;

/** One RuntimeClass handler: the OCI runtime binary that runs its containers. */
public record HandlerSection(String path) {
}
