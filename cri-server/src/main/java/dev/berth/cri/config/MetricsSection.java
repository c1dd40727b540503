package dev.berth.cri.config;

/** Prometheus text endpoint; an empty address turns it off. */
public record MetricsSection(String address) {

    public MetricsSection {
        address = address == null ? "127.0.0.1:9090" : address;
    }

    static MetricsSection defaults() {
        return new MetricsSection(null);
    }

    static MetricsSection read(ConfigTable table) {
        if (table == null) {
            return defaults();
        }
        MetricsSection section = new MetricsSection(table.string("address"));
        table.rejectUnknownKeys();
        return section;
    }
}
