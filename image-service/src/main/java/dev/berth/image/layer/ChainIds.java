package dev.berth.image.layer;

import dev.berth.image.content.Digest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Chain IDs identify a layer together with everything below it (OCI image spec): the base layer's chain ID is its
 * diff ID, each next one is {@code sha256(parentChainId + " " + diffId)}. Two images share an unpacked layer exactly
 * when they share its chain ID.
 */
public final class ChainIds {

    private ChainIds() {
    }

    public static List<Digest> of(List<Digest> diffIds) {
        List<Digest> out = new ArrayList<>(diffIds.size());
        Digest previous = null;
        for (Digest diffId : diffIds) {
            Digest chain = previous == null ? diffId
                    : Digest.sha256((previous + " " + diffId).getBytes(StandardCharsets.UTF_8));
            out.add(chain);
            previous = chain;
        }
        return out;
    }
}
