package dev.berth.image.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.image.ImageConfigView;
import dev.berth.image.content.Digest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parts of an image config blob berth uses: the container defaults and {@code rootfs.diff_ids}.
 *
 * @param view    container defaults (entrypoint, cmd, env, …)
 * @param diffIds uncompressed layer digests, base first
 * @param os      the config's {@code os}
 * @param architecture the config's {@code architecture}
 */
public record ImageConfigDocument(ImageConfigView view, List<Digest> diffIds, String os, String architecture) {

    public ImageConfigDocument {
        diffIds = List.copyOf(diffIds);
    }

    /** Parses a verified config blob; {@code what} names it in errors. */
    public static ImageConfigDocument parse(ObjectMapper json, byte[] blob, String what) {
        JsonNode root;
        try {
            root = json.readTree(blob);
        } catch (IOException e) {
            throw bad(what, "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw bad(what, "not a JSON object");
        }
        JsonNode rootfs = root.path("rootfs");
        if (!"layers".equals(rootfs.path("type").asText())) {
            throw bad(what, "rootfs.type must be \"layers\"");
        }
        List<Digest> diffIds = new ArrayList<>();
        for (JsonNode id : rootfs.path("diff_ids")) {
            diffIds.add(Digest.tryParse(id.asText())
                    .orElseThrow(() -> bad(what, "malformed diff ID \"" + id.asText() + "\"")));
        }
        JsonNode c = root.path("config");
        ImageConfigView view = new ImageConfigView(strings(c.path("Entrypoint")), strings(c.path("Cmd")),
                strings(c.path("Env")), c.path("WorkingDir").asText(""), c.path("User").asText(""),
                c.path("StopSignal").asText(""), labels(c.path("Labels")), keys(c.path("ExposedPorts")),
                keys(c.path("Volumes")));
        return new ImageConfigDocument(view, diffIds, root.path("os").asText(""),
                root.path("architecture").asText(""));
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else if (node.isTextual()) {
            out.add(node.asText());
        }
        return out;
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static Set<String> keys(JsonNode node) {
        Set<String> out = new LinkedHashSet<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static BerthException bad(String what, String why) {
        return BerthException.failedPrecondition("image config " + what + " cannot be used: " + why);
    }
}
