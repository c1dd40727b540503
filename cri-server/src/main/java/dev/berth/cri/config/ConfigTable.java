package dev.berth.cri.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One TOML table of the config file, read key by key with the type each key must have. Every key read is a known
 * key of the table; {@link #rejectUnknownKeys} then names any other key (a typo) with the keys the table does know.
 * An absent key reads as null, so the section's own defaults apply.
 */
final class ConfigTable {

    private final ObjectNode node;
    private final String path;
    private final Path origin;
    private final Set<String> known = new TreeSet<>();

    ConfigTable(ObjectNode node, String path, Path origin) {
        this.node = node;
        this.path = path;
        this.origin = origin;
    }

    String string(String key) {
        JsonNode value = value(key);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw badValue(key, value, "a string");
        }
        return value.textValue();
    }

    Integer integer(String key) {
        JsonNode value = value(key);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw badValue(key, value, "an integer");
        }
        return value.intValue();
    }

    Long longInteger(String key) {
        JsonNode value = value(key);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw badValue(key, value, "an integer");
        }
        return value.longValue();
    }

    Boolean bool(String key) {
        JsonNode value = value(key);
        if (value == null) {
            return null;
        }
        if (!value.isBoolean()) {
            throw badValue(key, value, "true or false");
        }
        return value.booleanValue();
    }

    List<String> strings(String key) {
        JsonNode value = value(key);
        if (value == null) {
            return null;
        }
        if (!value.isArray()) {
            throw badValue(key, value, "an array");
        }
        List<String> strings = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            if (!element.isTextual()) {
                throw new ConfigException(where(keyPath(key) + "[" + i + "]") + ": bad value " + shown(element)
                        + ", expected a string");
            }
            strings.add(element.textValue());
        }
        return strings;
    }

    ConfigTable table(String key) {
        JsonNode value = value(key);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            throw badValue(key, value, "a table");
        }
        return new ConfigTable((ObjectNode) value, keyPath(key), origin);
    }

    /** A table whose keys are names the operator chooses (registries, handlers), each naming a table of its own. */
    Map<String, ConfigTable> namedTables(String key) {
        ConfigTable outer = table(key);
        if (outer == null) {
            return null;
        }
        Map<String, ConfigTable> tables = new LinkedHashMap<>();
        for (Iterator<String> names = outer.node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            tables.put(name, outer.table(name));
        }
        return tables;
    }

    /** Fails on the first key of this table that no read asked for. */
    void rejectUnknownKeys() {
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!known.contains(key)) {
                throw new ConfigException(where(keyPath(key)) + ": unknown key"
                        + (known.isEmpty() ? "" : " (known keys here: " + String.join(", ", known) + ")"));
            }
        }
    }

    private JsonNode value(String key) {
        known.add(key);
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value;
    }

    private ConfigException badValue(String key, JsonNode value, String expected) {
        String shown = value.isValueNode() ? " " + shown(value) : "";
        return new ConfigException(where(keyPath(key)) + ": bad value" + shown + ", expected " + expected);
    }

    private String where(String keyPath) {
        return "config " + origin + ": key " + keyPath;
    }

    private String keyPath(String key) {
        String quoted = key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key + "\"";
        return path.isEmpty() ? quoted : path + "." + quoted;
    }

    private static String shown(JsonNode value) {
        return value.isTextual() ? "\"" + value.textValue() + "\"" : value.toString();
    }
}
