package dev.berth.image.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.image.Platform;
import dev.berth.image.content.Digest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads manifest documents. The media type comes from the document when it names one, else from the response's
 * Content-Type, else from its shape (OCI allows an index or manifest without {@code mediaType}). Docker schema 1
 * and unknown types are refused.
 */
public final class ManifestParser {

    private final ObjectMapper json;

    public ManifestParser(ObjectMapper json) {
        this.json = json;
    }

    /**
     * @param body        the verified manifest bytes
     * @param contentType the registry's Content-Type, may be empty
     * @param what        names the manifest in errors (reference and digest)
     */
    public ParsedManifest parse(byte[] body, String contentType, String what) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw unusable(what, "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw unusable(what, "not a JSON object");
        }
        String declared = MediaTypes.strip(root.path("mediaType").asText(""));
        String header = MediaTypes.strip(contentType);
        if (root.path("schemaVersion").asInt(0) == 1 || MediaTypes.isSchema1(declared)
                || (declared.isEmpty() && MediaTypes.isSchema1(header))) {
            throw unusable(what, "Docker schema 1 manifests are not supported (deprecated since 2017); "
                    + "push the image again with a current client");
        }
        String mediaType = !declared.isEmpty() ? declared : header;
        if (!MediaTypes.INDEXES.contains(mediaType) && !MediaTypes.MANIFESTS.contains(mediaType)) {
            if (declared.isEmpty() && root.has("manifests")) {
                mediaType = MediaTypes.OCI_INDEX;
            } else if (declared.isEmpty() && root.has("config") && root.has("layers")) {
                mediaType = MediaTypes.OCI_MANIFEST;
            } else {
                throw unusable(what, "unsupported media type \"" + (mediaType.isEmpty() ? "none" : mediaType)
                        + "\"");
            }
        }
        if (root.path("schemaVersion").asInt(0) != 2) {
            throw unusable(what, "schemaVersion must be 2");
        }
        if (MediaTypes.INDEXES.contains(mediaType)) {
            List<Descriptor> manifests = new ArrayList<>();
            for (JsonNode entry : array(root, "manifests", what)) {
                manifests.add(descriptor(entry, what));
            }
            return new ImageIndex(mediaType, manifests);
        }
        Descriptor config = descriptor(root.path("config"), what);
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode entry : array(root, "layers", what)) {
            layers.add(descriptor(entry, what));
        }
        return new ImageManifest(mediaType, config, layers);
    }

    private static Iterable<JsonNode> array(JsonNode root, String field, String what) {
        JsonNode node = root.path(field);
        if (!node.isArray()) {
            throw unusable(what, "\"" + field + "\" is missing or not an array");
        }
        return node;
    }

    private static Descriptor descriptor(JsonNode node, String what) {
        if (!node.isObject()) {
            throw unusable(what, "descriptor is not an object");
        }
        String mediaType = MediaTypes.strip(node.path("mediaType").asText(""));
        String digestText = node.path("digest").asText("");
        Digest digest = Digest.tryParse(digestText)
                .orElseThrow(() -> unusable(what, "unsupported or malformed digest \"" + digestText + "\""));
        JsonNode sizeNode = node.path("size");
        if (!sizeNode.canConvertToLong() || sizeNode.asLong() < 0) {
            throw unusable(what, "descriptor " + digestText + " has no valid size");
        }
        Optional<Platform> platform = Optional.empty();
        JsonNode p = node.path("platform");
        if (p.isObject()) {
            platform = Optional.of(new Platform(p.path("os").asText(""), p.path("architecture").asText(""),
                    p.path("variant").asText("")));
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        node.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
        return new Descriptor(mediaType, digest, sizeNode.asLong(), platform, annotations);
    }

    private static BerthException unusable(String what, String why) {
        return BerthException.failedPrecondition("manifest " + what + " cannot be used: " + why);
    }
}
