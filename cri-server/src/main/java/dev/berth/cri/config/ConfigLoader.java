package dev.berth.cri.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads berth's TOML config strictly: an unknown key or a bad value stops startup with the file, the key and the
 * reason, because a silently ignored typo on a node is found only when a pod misbehaves.
 *
 * <p>The file is parsed into a tree and each section reads its own keys from it ({@link ConfigTable}). Binding the
 * records by introspection instead costs the daemon's start-up about 0.1 s of annotation and reflection work.
 */
public final class ConfigLoader {

    public static final Path DEFAULT_PATH = Path.of("/etc/berth/config.toml");

    private final TomlMapper mapper;

    public ConfigLoader() {
        this.mapper = TomlMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
    }

    /**
     * Loads {@code file}; a missing file at the default path means embedded defaults, a missing file that the
     * operator named explicitly is an error.
     */
    public BerthConfig load(Path file, boolean explicit) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            if (explicit) {
                throw new ConfigException("config " + file + ": file does not exist");
            }
            return validated(BerthConfig.defaults(), file);
        } catch (IOException e) {
            throw new ConfigException("config " + file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, file);
    }

    /** Parses TOML text; {@code origin} names the source in error messages. */
    public BerthConfig parse(String text, Path origin) {
        if (text.isBlank()) {
            return validated(BerthConfig.defaults(), origin);
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException("config " + origin + ": not valid TOML: " + e.getOriginalMessage());
        }
        if (!(tree instanceof ObjectNode root)) {
            throw new ConfigException("config " + origin + ": not valid TOML: no key-value pairs or tables");
        }
        return validated(BerthConfig.read(new ConfigTable(root, "", origin)), origin);
    }

    /** The effective config as TOML, as `berth config` prints it. */
    public String render(BerthConfig config) {
        try {
            return mapper.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render config", e);
        }
    }

    private static BerthConfig validated(BerthConfig config, Path origin) {
        new ConfigValidator(origin).validate(config);
        return config;
    }
}
