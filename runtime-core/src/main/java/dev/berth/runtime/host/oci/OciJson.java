package dev.berth.runtime.host.oci;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.berth.common.fs.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes OCI JSON documents (config.json, process specs, runc state, seccomp profiles). */
public final class OciJson {

    private final ObjectMapper mapper = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public byte[] toBytes(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    public <T> T fromBytes(byte[] json, Class<T> type) {
        try {
            return mapper.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + type.getSimpleName(), e);
        }
    }

    /** Writes a bundle's config.json atomically; returns its path. */
    public Path writeConfig(Path bundle, OciSpec spec) {
        Path config = bundle.resolve("config.json");
        AtomicFiles.replace(config, toBytes(spec));
        return config;
    }

    public OciSpec readConfig(Path bundle) {
        try {
            return fromBytes(Files.readAllBytes(bundle.resolve("config.json")), OciSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + bundle.resolve("config.json"), e);
        }
    }
}
