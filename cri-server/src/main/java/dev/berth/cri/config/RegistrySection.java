package dev.berth.cri.config;

import java.util.List;

/** Per-registry settings: mirrors tried in order (then the registry itself), and whether plain HTTP is allowed. */
public record RegistrySection(List<String> mirrors, Boolean insecure, Boolean skipFallback) {

    public RegistrySection {
        mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
        insecure = insecure != null && insecure;
        skipFallback = skipFallback != null && skipFallback;
    }

    static RegistrySection read(ConfigTable table) {
        RegistrySection section = new RegistrySection(table.strings("mirrors"), table.bool("insecure"),
                table.bool("skip_fallback"));
        table.rejectUnknownKeys();
        return section;
    }
}
