package dev.berth.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/** Keeps a daemon's log past its work dir's deletion, when the user asked for logs. */
final class DaemonLogs {

    private DaemonLogs() {
    }

    static List<String> copy(Path log, Optional<Path> toDir, String name) {
        if (toDir.isEmpty() || !Files.exists(log)) {
            return List.of();
        }
        try {
            Files.createDirectories(toDir.get());
            Files.copy(log, toDir.get().resolve(name), StandardCopyOption.REPLACE_EXISTING);
            return List.of();
        } catch (IOException e) {
            return List.of("cannot keep " + log + ": " + e.getMessage());
        }
    }
}
