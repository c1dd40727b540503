package dev.berth.runtime.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.MountTable;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CgroupPathsTest {

    @Test
    void cgroupfsPathsAreRelativeToEachHierarchy() {
        assertEquals("kubepods/pod1/berth-c1", CgroupPaths.relative("/kubepods/pod1/berth-c1"));
    }

    @Test
    void systemdTriplesExpandSlices() {
        assertEquals("kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/berth-c1.scope",
                CgroupPaths.relative("kubepods-besteffort-pod1.slice:berth:c1"));
        assertEquals("system.slice/berth-c1.scope", CgroupPaths.relative("system.slice:berth:c1"));
    }

    @Test
    void sandboxParentsAreSlicesOrPaths() {
        assertEquals("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice",
                CgroupPaths.parentRelative("kubepods-burstable-pod12.slice"));
        assertEquals("kubepods/burstable/pod12", CgroupPaths.parentRelative("/kubepods/burstable/pod12"));
        assertThrows(BerthException.class, () -> CgroupPaths.parentRelative(""));
        assertThrows(BerthException.class, () -> CgroupPaths.parentRelative("/kubepods/../.."));
    }

    @Test
    void escapingPathsAreRejected() {
        assertThrows(BerthException.class, () -> CgroupPaths.relative("/a/../../etc"));
        assertThrows(BerthException.class, () -> CgroupPaths.relative(""));
    }

    @Test
    void layoutDetectsHybrid() {
        MountTable mounts = MountTable.parse(String.join("\n",
                "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
                "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
                "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct",
                "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
                "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw"));
        CgroupLayout layout = CgroupLayout.from(mounts);
        assertEquals(CgroupLayout.Mode.HYBRID, layout.mode());
        assertEquals(Path.of("/sys/fs/cgroup/memory/a"), layout.v1("memory", "a").orElseThrow());
        assertEquals(Path.of("/sys/fs/cgroup/unified/a"), layout.unified("a").orElseThrow());
        assertTrue(layout.allDirectories("a").contains(Path.of("/sys/fs/cgroup/systemd/a")));
        assertEquals(5, layout.allDirectories("a").size());
    }

    @Test
    void layoutDetectsV2AndCombinedV1Controllers() {
        CgroupLayout v2 = CgroupLayout.from(MountTable.parse(
                "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate"));
        assertEquals(CgroupLayout.Mode.V2, v2.mode());
        CgroupLayout v1 = CgroupLayout.from(MountTable.parse(
                "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct"));
        assertEquals(CgroupLayout.Mode.V1, v1.mode());
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct/x"), v1.v1("cpuacct", "x").orElseThrow());
    }

    @Test
    void hostLayoutIsDetected() {
        CgroupLayout layout = CgroupLayout.detect();
        assertTrue(layout.allDirectories("x").size() >= 1);
    }
}
