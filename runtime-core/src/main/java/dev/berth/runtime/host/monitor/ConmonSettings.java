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

    public static ConmonSettings under(Path stateDir) {
        Path state = stateDir.toAbsolutePath().normalize();
        return new ConmonSettings(Binaries.find("conmon"), state.resolve("exits"), state.resolve("sock"),
                state.resolve("exec"), Duration.ofMinutes(4));
    }
}
