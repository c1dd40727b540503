package dev.berth.runtime.spi;

import java.util.List;

/**
 * The parts of an image's config that shape a container's process; empty strings and lists mean "not set".
 *
 * @param user as written in the image: {@code name}, {@code uid}, {@code uid:gid}, {@code name:group}…
 * @param stopSignal a signal name such as {@code SIGTERM} or {@code SIGRTMIN+3}, or a number; empty = SIGTERM
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
                          String user, String stopSignal) {

    public static final ImageConfig EMPTY = new ImageConfig(List.of(), List.of(), List.of(), "", "", "");

    public ImageConfig {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
        workingDir = workingDir == null ? "" : workingDir;
        user = user == null ? "" : user;
        stopSignal = stopSignal == null ? "" : stopSignal;
    }
}
