package dev.berth.image;

import dev.berth.common.image.ImageUser;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a container needs from an image's config ({@code config} object of the OCI/Docker image config).
 * Empty collections and strings mean "not set".
 *
 * @param user the config's {@code User} as the image writes it; {@link #imageUser()} is its meaning
 */
public record ImageConfigView(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
                              String user, String stopSignal, Map<String, String> labels,
                              Set<String> exposedPorts, Set<String> volumes) {

    public ImageConfigView {
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        workingDir = workingDir == null ? "" : workingDir;
        user = user == null ? "" : user;
        stopSignal = stopSignal == null ? "" : stopSignal;
        labels = Map.copyOf(labels);
        exposedPorts = Set.copyOf(exposedPorts);
        volumes = Set.copyOf(volumes);
    }

    /**
     * The config's {@code User} split into user and group. Derived rather than stored, so the records written
     * with this view keep only the image's own text.
     */
    public ImageUser imageUser() {
        return ImageUser.parse(user);
    }

    public static ImageConfigView empty() {
        return new ImageConfigView(List.of(), List.of(), List.of(), "", "", "", Map.of(), Set.of(), Set.of());
    }
}
