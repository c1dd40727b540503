package dev.berth.runtime.host.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Reads a container's usage straight from its cgroup files (no spawns: this is on the stats hot path). */
public final class CgroupStatsReader {

    // cgroup v1 reports "unlimited" as a page-aligned LONG_MAX.
    private static final long V1_UNLIMITED_THRESHOLD = Long.MAX_VALUE / 2;

    private final CgroupLayout layout;

    public CgroupStatsReader(CgroupLayout layout) {
        this.layout = layout;
    }

    /** A sample for the cgroup of an OCI cgroupsPath; empty when the cgroup does not exist (any more). */
    public Optional<CgroupStats> read(String cgroupsPath) {
        String relative = CgroupPaths.relative(cgroupsPath);
        try {
            return layout.isUnified() ? readV2(relative) : readV1(relative);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<CgroupStats> readV1(String relative) throws IOException {
        Optional<Path> memory = layout.v1("memory", relative);
        Optional<Path> cpuacct = layout.v1("cpuacct", relative);
        if (memory.isEmpty() || !Files.isDirectory(memory.get())) {
            return Optional.empty();
        }
        long now = nowNanos();
        long cpu = cpuacct.isPresent() ? readLong(cpuacct.get().resolve("cpuacct.usage")) : 0;
        Map<String, Long> stat = readKeyed(memory.get().resolve("memory.stat"));
        long usage = readLong(memory.get().resolve("memory.usage_in_bytes"));
        long inactiveFile = stat.getOrDefault("total_inactive_file", 0L);
        long limit = readLong(memory.get().resolve("memory.limit_in_bytes"));
        Map<String, Long> oom = readKeyed(memory.get().resolve("memory.oom_control"));
        long pids = layout.v1("pids", relative).map(p -> readLongQuietly(p.resolve("pids.current"))).orElse(0L);
        return Optional.of(new CgroupStats(now, cpu, usage, Math.max(0, usage - inactiveFile),
                stat.getOrDefault("total_rss", 0L), limit >= V1_UNLIMITED_THRESHOLD ? 0 : limit,
                stat.getOrDefault("total_pgfault", 0L), stat.getOrDefault("total_pgmajfault", 0L), pids,
                oom.getOrDefault("oom_kill", 0L)));
    }

    private Optional<CgroupStats> readV2(String relative) throws IOException {
        Optional<Path> dir = layout.unified(relative);
        if (dir.isEmpty() || !Files.isDirectory(dir.get())) {
            return Optional.empty();
        }
        Path d = dir.get();
        long now = nowNanos();
        Map<String, Long> cpu = readKeyed(d.resolve("cpu.stat"));
        Map<String, Long> stat = readKeyed(d.resolve("memory.stat"));
        long usage = readLong(d.resolve("memory.current"));
        String max = Files.readString(d.resolve("memory.max")).strip();
        Map<String, Long> events = readKeyed(d.resolve("memory.events"));
        return Optional.of(new CgroupStats(now, cpu.getOrDefault("usage_usec", 0L) * 1000, usage,
                Math.max(0, usage - stat.getOrDefault("inactive_file", 0L)), stat.getOrDefault("anon", 0L),
                max.equals("max") ? 0 : Long.parseLong(max), stat.getOrDefault("pgfault", 0L),
                stat.getOrDefault("pgmajfault", 0L), readLongQuietly(d.resolve("pids.current")),
                events.getOrDefault("oom_kill", 0L)));
    }

    /** The OOM-kill counter of a cgroup (read before tearing the cgroup down); 0 when unknown. */
    public long oomKills(String cgroupsPath) {
        return read(cgroupsPath).map(CgroupStats::oomKills).orElse(0L);
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static long readLong(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).strip());
    }

    private static long readLongQuietly(Path file) {
        try {
            return readLong(file);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, Long> readKeyed(Path file) throws IOException {
        Map<String, Long> values = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int space = line.indexOf(' ');
            if (space > 0) {
                try {
                    values.put(line.substring(0, space), Long.parseLong(line.substring(space + 1).strip()));
                } catch (NumberFormatException ignored) {
                    // non-numeric keys (none today) are not stats
                }
            }
        }
        return values;
    }
}
