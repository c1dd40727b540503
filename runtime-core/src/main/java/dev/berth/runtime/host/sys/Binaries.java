package dev.berth.runtime.host.sys;

import dev.berth.common.error.BerthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Finds host tools by name on PATH plus the sbin directories a daemon's PATH sometimes lacks. */
public final class Binaries {

    private static final List<String> FALLBACK_DIRS = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
            "/usr/bin", "/sbin", "/bin");

    private Binaries() {
    }

    public static Path find(String name) {
        if (name.contains("/")) {
            return Path.of(name);
        }
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(FALLBACK_DIRS);
        List<String> tried = new ArrayList<>();
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
            tried.add(dir);
        }
        throw BerthException.failedPrecondition("host tool " + name + " not found in " + String.join(":", tried));
    }
}
