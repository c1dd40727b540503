package dev.berth.cri.fuzz;

import dev.berth.common.fs.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Finds files a fuzzed request wrote outside berth's directories. Other processes share this host, so a before/after
 * listing of /tmp or /run would see their files too; instead every path the mutator makes carries a marker no one else
 * uses, and these directories are searched for it. /etc is compared whole: nothing else on a test host changes it.
 */
final class HostSentinels {

    private static final List<Path> WATCHED = List.of(Path.of("/"), Path.of("/tmp"), Path.of("/etc"),
            Path.of("/run"), Path.of("/run/netns"), Path.of("/var/tmp"), Path.of("/var/log"), Path.of("/root"),
            Path.of("/var/lib"), Path.of("/dev/shm"));

    private final String marker;
    private final List<Path> watched;
    private final Set<String> etcBefore;

    HostSentinels(String marker, Path home) {
        this.marker = marker;
        List<Path> dirs = new ArrayList<>(WATCHED);
        // The test's home lives among other tests' homes: its parent is watched, not the home itself.
        dirs.add(home.getParent());
        dirs.add(home.resolve("logs"));
        this.watched = List.copyOf(dirs);
        this.etcBefore = listing(Path.of("/etc"));
    }

    /** Paths named with the marker in the watched directories. */
    List<Path> markedPaths() {
        List<Path> found = new ArrayList<>();
        for (Path dir : watched) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(dir)) {
                entries.filter(p -> p.getFileName().toString().contains(marker)).forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found;
    }

    /** Removes what {@link #markedPaths} found: only paths named with this run's marker. */
    void removeMarked(List<Path> paths) {
        for (Path path : paths) {
            if (path.getFileName().toString().contains(marker)) {
                if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    Trees.deleteRecursively(path);
                } else {
                    try {
                        Files.deleteIfExists(path);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
    }

    /** Entries of /etc that appeared or went since this object was made. */
    Set<String> etcChanges() {
        Set<String> now = listing(Path.of("/etc"));
        Set<String> changed = new TreeSet<>(now);
        changed.removeAll(etcBefore);
        Set<String> gone = new TreeSet<>(etcBefore);
        gone.removeAll(now);
        gone.forEach(name -> changed.add("-" + name));
        return changed;
    }

    private static Set<String> listing(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return new TreeSet<>(entries.map(p -> p.getFileName().toString()).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
