package dev.berth.common.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A parsed snapshot of /proc/self/mountinfo. */
public final class MountTable {

    /** One mountinfo line: where it is mounted, what it shows of its source, its type and options. */
    public record Entry(String root, Path mountPoint, String fsType, String source, String superOptions) {
    }

    private final List<Entry> entries;

    private MountTable(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static MountTable current() {
        try {
            return parse(Files.readString(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    public static MountTable parse(String mountinfo) {
        List<Entry> result = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(" ");
            int dash = indexOfSeparator(fields);
            if (dash < 0 || fields.length < dash + 4 || fields.length < 5) {
                continue;
            }
            result.add(new Entry(unescape(fields[3]), Path.of(unescape(fields[4])), fields[dash + 1],
                    unescape(fields[dash + 2]), fields[dash + 3]));
        }
        return new MountTable(result);
    }

    public List<Entry> entries() {
        return entries;
    }

    public boolean isMountPoint(Path path) {
        Path normalized = path.toAbsolutePath().normalize();
        return entries.stream().anyMatch(e -> e.mountPoint().equals(normalized));
    }

    /** Mounts at or below {@code dir}, deepest last. */
    public List<Entry> under(Path dir) {
        Path normalized = dir.toAbsolutePath().normalize();
        return entries.stream().filter(e -> e.mountPoint().startsWith(normalized)).toList();
    }

    private static int indexOfSeparator(String[] fields) {
        for (int i = 6; i < fields.length; i++) {
            if (fields[i].equals("-")) {
                return i;
            }
        }
        return -1;
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo octal.
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
