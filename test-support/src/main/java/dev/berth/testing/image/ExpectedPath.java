package dev.berth.testing.image;

/**
 * What a canned image's merged root filesystem must hold at {@code path} (absolute, inside the container).
 *
 * @param content    file content for files, else null
 * @param linkTarget symlink target for symlinks, else null
 */
public record ExpectedPath(String path, LayerEntry.Kind kind, int mode, long uid, long gid, String content,
                           String linkTarget) {
}
