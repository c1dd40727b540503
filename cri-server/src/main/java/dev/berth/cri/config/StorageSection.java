package dev.berth.cri.config;

/** Persistent root (images, layers, records) and volatile state (pins, monitor sockets, OCI runtime root). */
public record StorageSection(String root, String state) {

    public StorageSection {
        root = root == null ? "/var/lib/berth" : root;
        state = state == null ? "/run/berth" : state;
    }

    static StorageSection defaults() {
        return new StorageSection(null, null);
    }

    static StorageSection read(ConfigTable table) {
        if (table == null) {
            return defaults();
        }
        StorageSection section = new StorageSection(table.string("root"), table.string("state"));
        table.rejectUnknownKeys();
        return section;
    }
}
