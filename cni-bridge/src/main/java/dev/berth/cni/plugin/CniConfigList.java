package dev.berth.cni.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A network configuration list as the CNI spec defines it. A single-plugin {@code .conf} file is held as a list of
 * one. {@code json} is the list as loaded; it is cached with each attachment so that DEL runs the configuration ADD
 * ran, whatever the conf dir holds by then.
 *
 * @param cniVersion the version negotiated: the highest of {@code cniVersions} berth speaks, else {@code cniVersion}
 */
record CniConfigList(String name, String cniVersion, List<ObjectNode> plugins, boolean disableCheck,
                     boolean disableGc, String source, ObjectNode json) {

    private static final Pattern NETWORK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    CniConfigList {
        plugins = List.copyOf(plugins);
    }

    CniVersion version() {
        return CniVersion.parse(cniVersion);
    }

    List<String> pluginTypes() {
        return plugins.stream().map(p -> p.path("type").asText()).toList();
    }

    /** Parses a config list ({@code plugins} present) or a single plugin config; throws with the reason. */
    static CniConfigList fromJson(JsonNode node, String source) {
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String name = object.path("name").asText("");
        if (!NETWORK_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("missing or invalid network name '" + name + "'");
        }
        String version = negotiateVersion(object);
        List<ObjectNode> plugins = new ArrayList<>();
        ObjectNode listJson = object;
        if (object.has("plugins")) {
            for (JsonNode plugin : object.path("plugins")) {
                if (!(plugin instanceof ObjectNode pluginObject)) {
                    throw new IllegalArgumentException("plugin entry is not a JSON object");
                }
                plugins.add(pluginObject);
            }
        } else {
            // A bare .conf: the file itself is the one plugin; cache it as a list for uniform DEL.
            plugins.add(object.deepCopy());
            listJson = object.objectNode();
            listJson.put("cniVersion", version);
            listJson.put("name", name);
            listJson.putArray("plugins").add(object.deepCopy());
        }
        if (plugins.isEmpty()) {
            throw new IllegalArgumentException("no plugins");
        }
        for (ObjectNode plugin : plugins) {
            String type = plugin.path("type").asText("");
            if (type.isEmpty() || type.contains("/") || type.startsWith(".")) {
                throw new IllegalArgumentException("plugin with missing or invalid type '" + type + "'");
            }
        }
        return new CniConfigList(name, version, plugins, object.path("disableCheck").asBoolean(false),
                object.path("disableGC").asBoolean(false), source, listJson);
    }

    private static String negotiateVersion(ObjectNode object) {
        List<String> offered = new ArrayList<>();
        object.path("cniVersions").forEach(v -> offered.add(v.asText()));
        if (!offered.isEmpty()) {
            return CniVersion.highestSupported(offered).orElseThrow(() ->
                    new IllegalArgumentException("none of cniVersions " + offered + " is supported"));
        }
        String version = object.path("cniVersion").asText("");
        if (!CniVersion.isSupported(version)) {
            throw new IllegalArgumentException("unsupported cniVersion '" + version + "' (berth speaks "
                    + CniVersion.SUPPORTED + ")");
        }
        return version;
    }
}
