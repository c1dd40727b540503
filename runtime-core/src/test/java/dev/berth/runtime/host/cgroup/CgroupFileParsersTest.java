package dev.berth.runtime.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pressure, blkio and io.stat parsers on contents copied from kernel files. */
class CgroupFileParsersTest {

    @Test
    void pressureFilesGiveBothLinesWithTotalsInNanoseconds() {
        Psi psi = Psi.parse("some avg10=1.50 avg60=0.25 avg300=0.00 total=123456\n"
                + "full avg10=0.00 avg60=0.10 avg300=0.02 total=789\n");
        assertEquals(new Psi.Line(123_456_000L, 1.5, 0.25, 0.0), psi.some().orElseThrow());
        assertEquals(new Psi.Line(789_000L, 0.0, 0.1, 0.02), psi.full().orElseThrow());
    }

    @Test
    void aPressureFileWithoutFullLineOrWithGarbageKeepsWhatItCanRead() {
        Psi cpuOnOldKernels = Psi.parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n");
        assertEquals(5000, cpuOnOldKernels.some().orElseThrow().totalNanos());
        assertTrue(cpuOnOldKernels.full().isEmpty());
        Psi broken = Psi.parse("some avg10=x avg60=0.00 avg300=0.00 total=5\nfull total=3\n");
        assertTrue(broken.some().isEmpty());
        assertTrue(broken.full().isEmpty());
    }

    @Test
    void blkioSumsReadsAndWritesPerDeviceAndSkipsTotals() {
        IoBytes io = IoBytes.parseBlkio("""
                8:0 Read 4096
                8:0 Write 8192
                8:0 Sync 12288
                8:0 Async 0
                8:0 Discard 0
                8:0 Total 12288
                253:1 Read 100
                253:1 Write 0
                253:1 Total 100
                Total 12388
                """);
        assertEquals(Map.of("8:0", new IoBytes.Device(4096, 8192), "253:1", new IoBytes.Device(100, 0)),
                io.devices());
    }

    @Test
    void ioStatGivesBytesPerDevice() {
        IoBytes io = IoBytes.parseIoStat("""
                8:0 rbytes=1048576 wbytes=2097152 rios=10 wios=20 dbytes=0 dios=0
                259:0 rbytes=0 wbytes=512 rios=0 wios=1 dbytes=0 dios=0
                """);
        assertEquals(Map.of("8:0", new IoBytes.Device(1_048_576, 2_097_152), "259:0", new IoBytes.Device(0, 512)),
                io.devices());
    }
}
