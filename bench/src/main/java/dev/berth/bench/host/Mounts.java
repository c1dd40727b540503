package dev.berth.bench.host;

import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Mount points below a directory, read from /proc/self/mountinfo (the host mount namespace, as we run there). */
public final class Mounts {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private Mounts() {
    }

    /** Mount points at or below {@code dir}, most recently mounted first (the order to unmount them). */
    public static List<String> under(Path dir) {
        String prefix = dir.toString();
        List<String> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(MOUNTINFO)) {
                String[] fields = line.split(" ");
                if (fields.length > 4) {
                    String point = unescape(fields[4]);
                    if (point.equals(prefix) || point.startsWith(prefix + "/")) {
                        found.add(0, point);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MOUNTINFO, e);
        }
        // Deeper paths first, so a mount stacked inside another one goes before its parent.
        found.sort(Comparator.comparingInt(String::length).reversed());
        return found;
    }

    /** Unmounts everything below {@code dir}; a busy mount is detached lazily. Returns what went wrong. */
    public static List<String> unmountAllUnder(Path dir) {
        List<String> problems = new ArrayList<>();
        for (String point : under(dir)) {
            CommandResult result = Command.of("umount", point).run();
            if (!result.succeeded()) {
                CommandResult lazy = Command.of("umount", "-l", point).run();
                if (!lazy.succeeded()) {
                    problems.add("cannot unmount " + point + ": " + lazy.stderrText());
                }
            }
        }
        return problems;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
