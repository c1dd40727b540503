package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where an image volume's {@code image_sub_path} is inside the mounted image: it must exist there, and neither
 * {@code ..} nor a symlink (resolved on the host, where an absolute target is the host's) may lead out of it.
 */
final class ImageSubPath {

    private ImageSubPath() {
    }

    /** Refuses what is wrong with the path alone, before anything is mounted. */
    static void check(String subPath, String field) {
        if (subPath.startsWith("/")) {
            throw BerthException.invalidArgument(field + " must be relative to the image's root, got \"" + subPath
                    + "\"");
        }
        for (String element : subPath.split("/")) {
            if (element.equals("..")) {
                throw BerthException.invalidArgument(field + " must stay inside the image, got \"" + subPath + "\"");
            }
        }
    }

    /** The host path of {@code subPath} in the image mounted at {@code root}. */
    static Path resolve(Path root, String subPath, String image, String field) {
        check(subPath, field);
        if (subPath.isEmpty()) {
            return root;
        }
        try {
            Path realRoot = root.toRealPath();
            Path real = root.resolve(subPath).toRealPath();
            if (!real.startsWith(realRoot)) {
                throw BerthException.invalidArgument(field + " \"" + subPath + "\" leads out of image " + image
                        + " (through a symlink)");
            }
            return real;
        } catch (NoSuchFileException e) {
            throw BerthException.invalidArgument(field + " \"" + subPath + "\" does not exist in image " + image);
        } catch (IOException e) {
            throw BerthException.invalidArgument(field + " \"" + subPath + "\" cannot be resolved in image " + image
                    + ": " + e.getMessage());
        }
    }
}
