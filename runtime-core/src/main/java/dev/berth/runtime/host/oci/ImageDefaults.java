package dev.berth.runtime.host.oci;

import dev.berth.common.image.ImageUser;
import java.util.List;

/**
 * What an image's config says about how to run it (filled by the domain layer from the image record). Lists are never
 * null; strings may be empty.
 */
public record ImageDefaults(
        List<String> entrypoint,
        List<String> cmd,
        List<String> env,
        String workingDir,
        ImageUser user,
        String stopSignal,
        String imageName) {

    public ImageDefaults {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
        workingDir = workingDir == null ? "" : workingDir;
        user = user == null ? ImageUser.UNSET : user;
        stopSignal = stopSignal == null ? "" : stopSignal;
        imageName = imageName == null ? "" : imageName;
    }

    public static ImageDefaults empty() {
        return new ImageDefaults(List.of(), List.of(), List.of(), "", ImageUser.UNSET, "", "");
    }
}
