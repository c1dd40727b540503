package dev.berth.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** This JVM's threads as the kernel sees them: which of them are in a given namespace. */
public final class OwnThreads {

    private OwnThreads() {
    }

    /**
     * Waits (up to 30 s) until no thread of this process is in the namespace pinned at {@code pin}, of the kind named
     * {@code kind} ({@code net}, {@code ipc}, {@code uts}); a thread that did its work there may take a moment to be
     * reaped after it ends.
     */
    public static void awaitNoneIn(String kind, Path pin) throws InterruptedException {
        Object inode = inode(pin);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!in(kind, inode).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("threads of the daemon left in " + pin + ": " + in(kind, inode));
            }
            Thread.sleep(5);
        }
    }

    private static Object inode(Path file) {
        try {
            return Files.readAttributes(file, "unix:ino").get("ino");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> in(String kind, Object inode) {
        try (Stream<Path> threads = Files.list(Path.of("/proc/self/task"))) {
            return threads.filter(t -> {
                try {
                    return inode.equals(Files.readAttributes(t.resolve("ns").resolve(kind), "unix:ino").get("ino"));
                } catch (IOException gone) {
                    return false;
                }
            }).map(t -> t.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
