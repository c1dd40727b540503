package dev.berth.bench.host;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Directories outside the work dir that a daemon creates whatever its config says (containerd 1.6: shim sockets in
 * /run/containerd/s, libcni's result cache in /var/lib/cni/results). Those that did not exist before the bench
 * started it are removed afterwards, if empty; a directory that existed, or holds something, is left alone.
 */
public record ForeignDirs(List<Path> absentBefore) {

    /** {@code dirs} deepest first, e.g. /run/containerd/s before /run/containerd. */
    public static ForeignDirs snapshot(List<Path> dirs) {
        return new ForeignDirs(dirs.stream().filter(dir -> !Files.exists(dir)).toList());
    }

    public List<String> removeIfEmpty() {
        List<String> notes = new ArrayList<>();
        for (Path dir : absentBefore) {
            try {
                Files.deleteIfExists(dir);
            } catch (DirectoryNotEmptyException e) {
                notes.add("left " + dir + ": not empty");
            } catch (IOException e) {
                notes.add("cannot remove " + dir + ": " + e.getMessage());
            }
        }
        return notes;
    }
}
