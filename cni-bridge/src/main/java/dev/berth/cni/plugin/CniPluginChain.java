package dev.berth.cni.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Runs a config list's plugins for one command, per the spec: each plugin gets the list's {@code name} and
 * {@code cniVersion}, the capability arguments it declared in {@code runtimeConfig}, and a {@code prevResult}:
 * the previous plugin's result on ADD, the cached ADD result on CHECK and DEL. DEL runs in reverse.
 */
final class CniPluginChain {

    /** One attachment a GC must keep. */
    record ValidAttachment(String containerId, String ifName) {
    }

    private final CniPluginInvoker invoker;

    CniPluginChain(CniPluginInvoker invoker) {
        this.invoker = invoker;
    }

    /** ADD through the whole list; returns the last plugin's result. Stops at the first failure. */
    JsonNode add(CniConfigList list, CniInvocation invocation) {
        JsonNode previous = null;
        for (ObjectNode plugin : list.plugins()) {
            String type = plugin.path("type").asText();
            JsonNode result = invoker.invoke(type, "ADD", invocation,
                    pluginConfig(list, plugin, invocation.capabilityArgs(), previous));
            if (result == null || !result.isObject()) {
                throw invoker.noResult(type, "ADD");
            }
            previous = result;
        }
        return previous;
    }

    /**
     * DEL through the list in reverse. Unlike ADD it goes on past a failing plugin so that the others (the IPAM
     * among them) still release what they hold; returns the failures.
     */
    List<CniPluginException> del(CniConfigList list, CniInvocation invocation, JsonNode cachedResult) {
        // Before 0.4.0 there was no prevResult on DEL.
        JsonNode prevResult = list.version().atLeast(CniVersion.V0_4_0) ? cachedResult : null;
        List<CniPluginException> failures = new ArrayList<>();
        List<ObjectNode> reversed = new ArrayList<>(list.plugins());
        Collections.reverse(reversed);
        for (ObjectNode plugin : reversed) {
            try {
                invoker.invoke(plugin.path("type").asText(), "DEL", invocation,
                        pluginConfig(list, plugin, invocation.capabilityArgs(), prevResult));
            } catch (CniPluginException e) {
                failures.add(e);
            }
        }
        return failures;
    }

    /** CHECK through the list with the cached ADD result; throws on the first failure. */
    void check(CniConfigList list, CniInvocation invocation, JsonNode cachedResult) {
        for (ObjectNode plugin : list.plugins()) {
            invoker.invoke(plugin.path("type").asText(), "CHECK", invocation,
                    pluginConfig(list, plugin, invocation.capabilityArgs(), cachedResult));
        }
    }

    /** GC (spec 1.1): each plugin learns which attachments are still valid and drops the rest. */
    List<CniPluginException> gc(CniConfigList list, List<ValidAttachment> valid) {
        List<CniPluginException> failures = new ArrayList<>();
        for (ObjectNode plugin : list.plugins()) {
            ObjectNode config = pluginConfig(list, plugin, null, null);
            ArrayNode attachments = config.putArray("cni.dev/valid-attachments");
            for (ValidAttachment attachment : valid) {
                attachments.addObject().put("containerID", attachment.containerId())
                        .put("ifname", attachment.ifName());
            }
            // Early 1.1 plugins read the key the spec draft used; libcni sends both.
            config.set("cni.dev/attachments", attachments.deepCopy());
            try {
                invoker.invoke(plugin.path("type").asText(), "GC", null, config);
            } catch (CniPluginException e) {
                failures.add(e);
            }
        }
        return failures;
    }

    /** STATUS (spec 1.1): throws the first plugin's "not available". */
    void status(CniConfigList list) {
        for (ObjectNode plugin : list.plugins()) {
            invoker.invoke(plugin.path("type").asText(), "STATUS", null, pluginConfig(list, plugin, null, null));
        }
    }

    private static ObjectNode pluginConfig(CniConfigList list, ObjectNode plugin, ObjectNode capabilityArgs,
                                           JsonNode prevResult) {
        ObjectNode config = plugin.deepCopy();
        config.put("name", list.name());
        config.put("cniVersion", list.cniVersion());
        if (prevResult != null) {
            config.set("prevResult", prevResult);
        }
        if (capabilityArgs != null) {
            ObjectNode runtimeConfig = config.objectNode();
            Iterator<Map.Entry<String, JsonNode>> capabilities = plugin.path("capabilities").fields();
            while (capabilities.hasNext()) {
                Map.Entry<String, JsonNode> capability = capabilities.next();
                if (capability.getValue().asBoolean(false) && capabilityArgs.has(capability.getKey())) {
                    runtimeConfig.set(capability.getKey(), capabilityArgs.get(capability.getKey()));
                }
            }
            if (!runtimeConfig.isEmpty()) {
                config.set("runtimeConfig", runtimeConfig);
            }
        }
        return config;
    }
}
