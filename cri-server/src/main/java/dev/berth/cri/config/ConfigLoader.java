package dev.berth.cri.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Reads berth's TOML config strictly: an unknown key or a bad value stops startup with the file, the key and the
 * reason, because a silently ignored typo on a node is found only when a pod misbehaves.
 */
public final class ConfigLoader {

    public static final Path DEFAULT_PATH = Path.of("/etc/berth/config.toml");

    private final TomlMapper mapper;

    public ConfigLoader() {
        this.mapper = TomlMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
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
        BerthConfig config;
        try {
            config = text.isBlank() ? BerthConfig.defaults() : mapper.readValue(text, BerthConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException("config " + origin + ": key " + keyPath(e) + ": unknown key"
                    + (known.isEmpty() ? "" : " (known keys here: " + known + ")"));
        } catch (InvalidFormatException e) {
            throw new ConfigException("config " + origin + ": key " + keyPath(e) + ": bad value "
                    + quoted(e.getValue()) + ", expected " + friendlyType(e.getTargetType()));
        } catch (MismatchedInputException e) {
            throw new ConfigException("config " + origin + ": key " + keyPath(e) + ": bad value, expected "
                    + friendlyType(e.getTargetType()));
        } catch (JsonProcessingException e) {
            throw new ConfigException("config " + origin + ": not valid TOML: " + e.getOriginalMessage());
        }
        return validated(config, origin);
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

    private static String keyPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? quoteKey(ref.getFieldName()) : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String quoteKey(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key + "\"";
    }

    private static String quoted(Object value) {
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }

    private static String friendlyType(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.List.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "a table";
    }
}
