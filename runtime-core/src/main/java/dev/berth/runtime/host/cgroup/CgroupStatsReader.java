package dev.berth.runtime.host.cgroup;

import dev.berth.common.time.EpochNanos;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
        return readRelative(CgroupPaths.relative(cgroupsPath));
    }

    /** A sample for a sandbox's cgroup parent (a cgroupfs path or a systemd slice name); empty when missing. */
    public Optional<CgroupStats> readParent(String cgroupParent) {
        return readRelative(CgroupPaths.parentRelative(cgroupParent));
    }

    private Optional<CgroupStats> readRelative(String relative) {
        if (relative.isEmpty()) {
            return Optional.empty();
        }
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
        long now = EpochNanos.now();
        long cpu = cpuacct.isPresent() ? readLong(cpuacct.get().resolve("cpuacct.usage")) : 0;
        Map<String, Long> stat = readKeyed(memory.get().resolve("memory.stat"));
        long usage = readLong(memory.get().resolve("memory.usage_in_bytes"));
        long inactiveFile = stat.getOrDefault("total_inactive_file", 0L);
        long limit = readLong(memory.get().resolve("memory.limit_in_bytes"));
        Map<String, Long> oom = readKeyed(memory.get().resolve("memory.oom_control"));
        long pids = layout.v1("pids", relative).filter(Files::isDirectory)
                .map(p -> readLongQuietly(p.resolve("pids.current")))
                .orElseGet(() -> countProcs(memory.get()));
        Optional<IoBytes> io = layout.v1("blkio", relative)
                .flatMap(p -> readQuietly(p.resolve("blkio.throttle.io_service_bytes_recursive")))
                .map(IoBytes::parseBlkio);
        return Optional.of(new CgroupStats(now, cpu, usage, Math.max(0, usage - inactiveFile),
                stat.getOrDefault("total_rss", 0L), limit >= V1_UNLIMITED_THRESHOLD ? 0 : limit,
                stat.getOrDefault("total_pgfault", 0L), stat.getOrDefault("total_pgmajfault", 0L), pids,
                oom.getOrDefault("oom_kill", 0L), swapV1(memory.get(), usage),
                pressure(layout.unified(relative)), io));
    }

    private Optional<CgroupStats> readV2(String relative) throws IOException {
        Optional<Path> dir = layout.unified(relative);
        if (dir.isEmpty() || !Files.isDirectory(dir.get())) {
            return Optional.empty();
        }
        Path d = dir.get();
        long now = EpochNanos.now();
        Map<String, Long> cpu = readKeyed(d.resolve("cpu.stat"));
        Map<String, Long> stat = readKeyed(d.resolve("memory.stat"));
        long usage = readLong(d.resolve("memory.current"));
        String max = Files.readString(d.resolve("memory.max")).strip();
        Map<String, Long> events = readKeyed(d.resolve("memory.events"));
        return Optional.of(new CgroupStats(now, cpu.getOrDefault("usage_usec", 0L) * 1000, usage,
                Math.max(0, usage - stat.getOrDefault("inactive_file", 0L)), stat.getOrDefault("anon", 0L),
                max.equals("max") ? 0 : Long.parseLong(max), stat.getOrDefault("pgfault", 0L),
                stat.getOrDefault("pgmajfault", 0L), pidsV2(d), events.getOrDefault("oom_kill", 0L),
                swapV2(d), pressure(dir), readQuietly(d.resolve("io.stat")).map(IoBytes::parseIoStat)));
    }

    /**
     * v1 accounts memory+swap together (memory.memsw.*, present when the kernel accounts swap): swap used is the
     * difference with memory alone.
     */
    private static Optional<SwapStats> swapV1(Path memory, long memoryUsage) {
        Optional<String> memsw = readQuietly(memory.resolve("memory.memsw.usage_in_bytes"));
        if (memsw.isEmpty()) {
            return Optional.empty();
        }
        try {
            long total = Long.parseLong(memsw.get());
            long limit = readQuietly(memory.resolve("memory.memsw.limit_in_bytes")).map(Long::parseLong).orElse(0L);
            long memoryLimit = readQuietly(memory.resolve("memory.limit_in_bytes")).map(Long::parseLong).orElse(0L);
            long swapLimit = limit >= V1_UNLIMITED_THRESHOLD ? 0 : Math.max(0, limit - memoryLimit);
            return Optional.of(new SwapStats(Math.max(0, total - memoryUsage), swapLimit));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<SwapStats> swapV2(Path dir) {
        Optional<String> current = readQuietly(dir.resolve("memory.swap.current"));
        if (current.isEmpty()) {
            return Optional.empty();
        }
        try {
            String max = readQuietly(dir.resolve("memory.swap.max")).orElse("max");
            return Optional.of(new SwapStats(Long.parseLong(current.get()),
                    max.equals("max") ? 0 : Long.parseLong(max)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** PSI lives in the cgroup2 hierarchy only: on a v1 hybrid host, in the cgroup's mirror under unified/. */
    private static CgroupPressure pressure(Optional<Path> unifiedDir) {
        if (unifiedDir.isEmpty() || !Files.isDirectory(unifiedDir.get())) {
            return CgroupPressure.NONE;
        }
        Path d = unifiedDir.get();
        return new CgroupPressure(readQuietly(d.resolve("cpu.pressure")).map(Psi::parse),
                readQuietly(d.resolve("memory.pressure")).map(Psi::parse),
                readQuietly(d.resolve("io.pressure")).map(Psi::parse));
    }

    private static long pidsV2(Path dir) {
        Optional<String> current = readQuietly(dir.resolve("pids.current"));
        if (current.isPresent()) {
            try {
                return Long.parseLong(current.get());
            } catch (NumberFormatException ignored) {
                // fall back to counting
            }
        }
        return countProcs(dir);
    }

    /** Processes of the cgroup itself (cgroup.procs); children's are not included. */
    private static long countProcs(Path dir) {
        return readQuietly(dir.resolve("cgroup.procs")).map(s -> s.lines().filter(l -> !l.isBlank()).count())
                .orElse(0L);
    }

    /** The stripped content of a file, or empty when the file is missing or unreadable. */
    private static Optional<String> readQuietly(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The OOM-kill counter of a cgroup (read before tearing the cgroup down); 0 when unknown. */
    public long oomKills(String cgroupsPath) {
        return read(cgroupsPath).map(CgroupStats::oomKills).orElse(0L);
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
