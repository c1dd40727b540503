package dev.berth.bench.host;

import dev.berth.common.fs.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A private directory under /tmp for one runtime instance. Short on purpose: unix socket paths must stay under 108
 * bytes, and containerd derives shim socket and netns paths from it.
 */
public record WorkDir(Path path) {

    public static WorkDir create(String prefix) {
        try {
            return new WorkDir(Files.createTempDirectory(Path.of("/tmp"), prefix));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory under /tmp", e);
        }
    }

    public Path resolve(String name) {
        return path.resolve(name);
    }

    public Path directory(String name) {
        Path dir = path.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    /**
     * Unmounts whatever is still mounted below the directory, then deletes it. Refuses to delete while a mount
     * remains: a recursive delete would otherwise reach into whatever that mount shows.
     */
    public List<String> unmountAndDelete() {
        List<String> problems = Mounts.unmountAllUnder(path);
        if (!Mounts.under(path).isEmpty()) {
            problems.add("mounts remain under " + path + ", not deleted: " + Mounts.under(path));
            return problems;
        }
        try {
            Trees.deleteRecursively(path);
        } catch (UncheckedIOException e) {
            problems.add("cannot delete " + path + ": " + e.getMessage());
        }
        return problems;
    }
}
