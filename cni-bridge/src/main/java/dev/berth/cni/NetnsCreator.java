package dev.berth.cni;

import dev.berth.cni.builtin.LinkBatch;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes a pod's network namespace (with {@code lo} up) at the request's netns path and runs {@code ip -batch}
 * lines inside it in the same step. The runtime passes one that pins the namespace with util-linux {@code unshare}
 * running {@code ip} inside, so the built-in network's pod side costs no spawn of its own.
 */
@FunctionalInterface
public interface NetnsCreator {

    void create(List<String> ipCommands);

    /** For a namespace that exists already: runs the lines in it through {@code nsenter}. */
    static NetnsCreator existing(Path netns) {
        return commands -> {
            LinkBatch batch = new LinkBatch().add("link", "set", "lo", "up");
            commands.forEach(batch::addLine);
            batch.runIn(netns);
        };
    }
}
