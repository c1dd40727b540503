package dev.berth.cni.net;

import dev.berth.common.exec.Command;
import dev.berth.common.net.NetnsCreator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Link, address and route operations sent to one {@code ip -batch -} process: one spawn for many operations. Runs in
 * the JVM's own netns or, through {@code nsenter --net=PATH}, in a pinned one ({@code ip -n} only takes names under
 * /run/netns).
 */
public final class LinkBatch {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final List<String> lines = new ArrayList<>();

    /** Adds one {@code ip} command line, e.g. {@code add("link", "set", "lo", "up")}. */
    public LinkBatch add(String... words) {
        for (String word : words) {
            if (word.isEmpty() || word.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\\' || c == '#')) {
                throw new IllegalArgumentException("unsafe word for ip batch: '" + word + "'");
            }
        }
        lines.add(String.join(" ", words));
        return this;
    }

    /** Adds a line another batch made (see {@link #lines()}). */
    public LinkBatch addLine(String line) {
        return add(line.split(" "));
    }

    public boolean isEmpty() {
        return lines.isEmpty();
    }

    /** The lines, for a process that runs them itself (the pinning spawn of a new netns). */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    public void runOnHost() {
        run(List.of("ip", "-batch", "-"));
    }

    public void runIn(Path netns) {
        run(List.of("nsenter", "--net=" + netns, "ip", "-batch", "-"));
    }

    /** A creator for a namespace that exists already: brings {@code lo} up and runs the lines in it. */
    public static NetnsCreator inExisting(Path netns) {
        return commands -> {
            LinkBatch batch = new LinkBatch().add("link", "set", "lo", "up");
            commands.forEach(batch::addLine);
            batch.runIn(netns);
        };
    }

    private void run(List<String> argv) {
        if (lines.isEmpty()) {
            return;
        }
        byte[] script = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        Command.of(argv).withStdin(script).withTimeout(TIMEOUT).check();
    }

    @Override
    public String toString() {
        return String.join("; ", lines);
    }
}
