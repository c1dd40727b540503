package dev.berth.image.layer;

import dev.berth.common.fs.Trees;

import java.nio.file.Path;

/**
 * A layer being unpacked under {@code overlay2/incomplete/}: invisible to lookups until committed by an atomic
 * rename, and swept at startup if the process dies first.
 *
 * @param id   the layer ID (chain ID hex) it will have
 * @param dir  its temporary directory
 */
public record IncompleteLayer(String id, Path dir) {

    public Path diff() {
        return dir.resolve("diff");
    }

    /** Removes everything written so far; safe to call twice. */
    public void discard() {
        Trees.deleteRecursively(dir);
    }
}
