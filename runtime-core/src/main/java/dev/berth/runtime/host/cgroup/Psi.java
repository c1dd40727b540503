package dev.berth.runtime.host.cgroup;

import java.util.Optional;

/**
 * Pressure-stall information of one resource, as a cgroup2 {@code *.pressure} file gives it: the "some" line (at
 * least one task stalled) and the "full" line (all tasks stalled), each absent when the kernel does not report it.
 */
public record Psi(Optional<Line> some, Optional<Line> full) {

    /** One line: stall time in nanoseconds and the stall percentages over 10 s, 60 s and 300 s. */
    public record Line(long totalNanos, double avg10, double avg60, double avg300) {
    }

    /**
     * Parses a pressure file ({@code some avg10=0.00 avg60=0.00 avg300=0.00 total=123}, total in microseconds).
     * Lines it does not understand are skipped.
     */
    public static Psi parse(String content) {
        Line some = null;
        Line full = null;
        for (String raw : content.split("\n")) {
            String[] fields = raw.strip().split("\\s+");
            if (fields.length < 2) {
                continue;
            }
            Line line = line(fields);
            if (line == null) {
                continue;
            }
            if (fields[0].equals("some")) {
                some = line;
            } else if (fields[0].equals("full")) {
                full = line;
            }
        }
        return new Psi(Optional.ofNullable(some), Optional.ofNullable(full));
    }

    private static Line line(String[] fields) {
        double avg10 = -1;
        double avg60 = -1;
        double avg300 = -1;
        long totalMicros = -1;
        try {
            for (int i = 1; i < fields.length; i++) {
                int eq = fields[i].indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String value = fields[i].substring(eq + 1);
                switch (fields[i].substring(0, eq)) {
                    case "avg10" -> avg10 = Double.parseDouble(value);
                    case "avg60" -> avg60 = Double.parseDouble(value);
                    case "avg300" -> avg300 = Double.parseDouble(value);
                    case "total" -> totalMicros = Long.parseLong(value);
                    default -> { }
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        if (avg10 < 0 || avg60 < 0 || avg300 < 0 || totalMicros < 0) {
            return null;
        }
        return new Line(totalMicros * 1000, avg10, avg60, avg300);
    }
}
