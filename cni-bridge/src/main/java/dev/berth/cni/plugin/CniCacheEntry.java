package dev.berth.cni.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a DEL needs, cached on disk when the ADD starts (so a restart in the middle of an ADD still leads to a DEL)
 * and completed with the ADD's result: the config list ADD ran, its inputs, its result.
 *
 * @param result       the ADD result; null while the ADD has not finished (DEL then goes without prevResult)
 * @param delAttempts  DELs that failed so far; garbage collection retries a few times, then gives up
 */
record CniCacheEntry(String sandboxId, String networkName, ObjectNode config, String netns, String ifName,
                     String cniArgs, ObjectNode capabilityArgs, JsonNode result, int delAttempts,
                     long createdAtMillis) {

    CniInvocation invocation() {
        return new CniInvocation(sandboxId, netns, ifName, cniArgs, capabilityArgs);
    }

    CniConfigList configList() {
        return CniConfigList.fromJson(config, "cache of " + sandboxId);
    }

    CniCacheEntry withResult(JsonNode addResult) {
        return new CniCacheEntry(sandboxId, networkName, config, netns, ifName, cniArgs, capabilityArgs, addResult,
                delAttempts, createdAtMillis);
    }

    CniCacheEntry withFailedDel() {
        return new CniCacheEntry(sandboxId, networkName, config, netns, ifName, cniArgs, capabilityArgs, result,
                delAttempts + 1, createdAtMillis);
    }
}
