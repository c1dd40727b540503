package dev.berth.runtime.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.fs.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader on cgroup file trees laid out as a v2 host and a v1 hybrid host lay them out (this machine is hybrid:
 * the v2 path is checked here on files, the v1 path also against the kernel in the end-to-end stats tests).
 */
class CgroupStatsReaderFilesTest {

    @TempDir
    Path root;

    @Test
    void unifiedHierarchyGivesCpuMemorySwapPressureAndIo() throws IOException {
        Path cgroup = Files.createDirectories(root.resolve("kubepods/pod1/berth-c1"));
        write(cgroup, "cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
        write(cgroup, "memory.current", "104857600\n");
        write(cgroup, "memory.stat", "anon 52428800\nfile 41943040\ninactive_file 31457280\npgfault 1000\n"
                + "pgmajfault 7\n");
        write(cgroup, "memory.max", "209715200\n");
        write(cgroup, "memory.events", "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n");
        write(cgroup, "memory.swap.current", "4096\n");
        write(cgroup, "memory.swap.max", "max\n");
        write(cgroup, "pids.current", "3\n");
        write(cgroup, "io.stat", "8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n");
        write(cgroup, "cpu.pressure", "some avg10=0.50 avg60=0.00 avg300=0.00 total=42\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
        write(cgroup, "memory.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n");

        CgroupLayout layout = CgroupLayout.from(MountTable.parse(
                "30 23 0:26 / " + root + " rw,nosuid - cgroup2 cgroup2 rw,nsdelegate"));
        CgroupStats stats = new CgroupStatsReader(layout).read("/kubepods/pod1/berth-c1").orElseThrow();

        assertEquals(2_500_000_000L, stats.cpuUsageNanos());
        assertEquals(104_857_600L, stats.memoryUsageBytes());
        assertEquals(104_857_600L - 31_457_280L, stats.memoryWorkingSetBytes());
        assertEquals(52_428_800L, stats.memoryRssBytes());
        assertEquals(209_715_200L, stats.memoryLimitBytes());
        assertEquals(1000, stats.pageFaults());
        assertEquals(7, stats.majorPageFaults());
        assertEquals(3, stats.pids());
        assertEquals(1, stats.oomKills());
        assertEquals(new SwapStats(4096, 0), stats.swap().orElseThrow());
        assertEquals(Map.of("8:0", new IoBytes.Device(10, 20)), stats.io().orElseThrow().devices());
        assertEquals(42_000, stats.pressure().cpu().orElseThrow().some().orElseThrow().totalNanos());
        assertEquals(1000, stats.pressure().memory().orElseThrow().full().orElseThrow().totalNanos());
        assertTrue(stats.pressure().io().isEmpty(), "no io.pressure file, no IO pressure");

        // A pod's parent is read the same way.
        write(Files.createDirectories(root.resolve("kubepods/pod1")), "cpu.stat", "usage_usec 3000000\n");
        copyMemoryFiles(cgroup, root.resolve("kubepods/pod1"));
        assertEquals(3_000_000_000L, new CgroupStatsReader(layout).readParent("/kubepods/pod1").orElseThrow()
                .cpuUsageNanos());
    }

    @Test
    void hybridHostReadsV1ControllersAndPressureFromTheUnifiedMirror() throws IOException {
        Path memory = Files.createDirectories(root.resolve("memory/p/berth-c1"));
        Path cpuacct = Files.createDirectories(root.resolve("cpuacct/p/berth-c1"));
        Path pids = Files.createDirectories(root.resolve("pids/p/berth-c1"));
        Path blkio = Files.createDirectories(root.resolve("blkio/p/berth-c1"));
        Path unified = Files.createDirectories(root.resolve("unified/p/berth-c1"));
        write(cpuacct, "cpuacct.usage", "123456789\n");
        write(memory, "memory.usage_in_bytes", "10485760\n");
        write(memory, "memory.limit_in_bytes", "9223372036854771712\n");
        write(memory, "memory.stat", "rss 1\ntotal_rss 4194304\ntotal_inactive_file 2097152\n"
                + "total_pgfault 55\ntotal_pgmajfault 2\n");
        write(memory, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
        write(memory, "memory.memsw.usage_in_bytes", "11534336\n");
        write(memory, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
        write(pids, "pids.current", "2\n");
        write(blkio, "blkio.throttle.io_service_bytes_recursive", "8:0 Read 512\n8:0 Write 1024\nTotal 1536\n");
        write(unified, "io.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=9\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=8\n");

        CgroupLayout layout = CgroupLayout.from(MountTable.parse(String.join("\n",
                "31 23 0:28 / " + root + " rw,relatime - tmpfs tmpfs rw,mode=755",
                "32 31 0:30 / " + root.resolve("cpuacct") + " rw,relatime - cgroup cgroup rw,cpuacct",
                "33 31 0:32 / " + root.resolve("memory") + " rw,relatime - cgroup cgroup rw,memory",
                "34 31 0:33 / " + root.resolve("pids") + " rw,relatime - cgroup cgroup rw,pids",
                "35 31 0:34 / " + root.resolve("blkio") + " rw,relatime - cgroup cgroup rw,blkio",
                "41 31 0:38 / " + root.resolve("unified") + " rw,relatime - cgroup2 cgroup2 rw")));
        CgroupStats stats = new CgroupStatsReader(layout).read("/p/berth-c1").orElseThrow();

        assertEquals(123_456_789L, stats.cpuUsageNanos());
        assertEquals(10_485_760L - 2_097_152L, stats.memoryWorkingSetBytes());
        assertEquals(4_194_304L, stats.memoryRssBytes());
        assertEquals(0, stats.memoryLimitBytes(), "a page-aligned LONG_MAX is no limit");
        assertEquals(55, stats.pageFaults());
        assertEquals(2, stats.pids());
        assertEquals(new SwapStats(1_048_576L, 0), stats.swap().orElseThrow());
        assertEquals(Map.of("8:0", new IoBytes.Device(512, 1024)), stats.io().orElseThrow().devices());
        assertEquals(8000, stats.pressure().io().orElseThrow().full().orElseThrow().totalNanos());
        assertTrue(stats.pressure().cpu().isEmpty());
    }

    @Test
    void aMissingCgroupIsNoSample() {
        CgroupLayout layout = CgroupLayout.from(MountTable.parse(
                "30 23 0:26 / " + root + " rw,nosuid - cgroup2 cgroup2 rw,nsdelegate"));
        assertTrue(new CgroupStatsReader(layout).read("/gone").isEmpty());
    }

    private static void copyMemoryFiles(Path from, Path to) throws IOException {
        for (String name : new String[] {"memory.current", "memory.stat", "memory.max", "memory.events"}) {
            Files.copy(from.resolve(name), to.resolve(name));
        }
    }

    private static void write(Path dir, String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }
}
