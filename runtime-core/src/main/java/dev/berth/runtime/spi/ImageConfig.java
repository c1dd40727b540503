package dev.berth.runtime.spi;

import dev.berth.common.image.ImageUser;
import java.util.List;

/**
 * The parts of an image's config that shape a container's process; empty strings and lists mean "not set".
 *
 * @param user the image's {@code User}, already split into user and group; names are resolved against the
 *             container's own /etc/passwd and /etc/group
 * @param stopSignal a signal name such as {@code SIGTERM} or {@code SIGRTMIN+3}, or a number; empty = SIGTERM
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
                          ImageUser user, String stopSignal) {

    public static final ImageConfig EMPTY = new ImageConfig(List.of(), List.of(), List.of(), "", ImageUser.UNSET, "");

    public ImageConfig {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
        workingDir = workingDir == null ? "" : workingDir;
        user = user == null ? ImageUser.UNSET : user;
        stopSignal = stopSignal == null ? "" : stopSignal;
    }
}
