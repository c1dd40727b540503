package dev.berth.cri.config;

/** One RuntimeClass handler: the OCI runtime binary that runs its containers. */
public record HandlerSection(String path) {

    static HandlerSection read(ConfigTable table) {
        HandlerSection section = new HandlerSection(table.string("path"));
        table.rejectUnknownKeys();
        return section;
    }
}
