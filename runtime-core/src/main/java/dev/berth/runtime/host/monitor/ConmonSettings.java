package dev.berth.runtime.host.monitor;

import dev.berth.runtime.host.sys.Binaries;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where conmon lives and writes.
 *
 * @param exitDir   one directory for all containers' exit files (named by container id), watched by ExitWatcher
 * @param socketDir attach sockets: {@code <socketDir>/<id>/attach}; keep it short (unix socket paths ≤ 107 bytes)
 * @param execDir   scratch directories of exec-sync calls
 */
public record ConmonSettings(Path conmonBinary, Path exitDir, Path socketDir, Path execDir, Duration createTimeout) {

    static final int SOCKET_NAME_LENGTH = 24;

    public static ConmonSettings under(Path stateDir) {
        Path state = stateDir.toAbsolutePath().normalize();
        return new ConmonSettings(Binaries.find("conmon"), state.resolve("exits"), state.resolve("sock"),
                state.resolve("exec"), Duration.ofMinutes(4));
    }

    /**
     * The name of a container's link in the socket directory. A unix socket path must fit in 108 bytes, so the link
     * takes a prefix of the ID: IDs are random, and 96 bits never collide among one node's containers.
     */
    static String socketName(String id) {
        return id.length() > SOCKET_NAME_LENGTH ? id.substring(0, SOCKET_NAME_LENGTH) : id;
    }

    /** The link conmon makes in the socket directory (to the bundle) for a container or an exec session. */
    Path socketLink(String id) {
        return socketDir.resolve(socketName(id));
    }

    /** Where a container's attach socket is (it exists from create on). */
    public Path attachSocket(String containerId) {
        return socketLink(containerId).resolve("attach");
    }

    /** Where conmon writes a container's exit code. */
    public Path exitFile(String containerId) {
        return exitDir.resolve(containerId);
    }
}
