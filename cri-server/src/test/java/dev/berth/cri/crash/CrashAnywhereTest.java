package dev.berth.cri.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.Compression;
import dev.berth.testing.image.LayerBuilder;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.image.RandomBytes;
import dev.berth.testing.registry.TestRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kill -9 anywhere: {@link CrashDriver} kills the daemon inside RunPodSandbox, CreateContainer, StartContainer,
 * StopPodSandbox, RemoveContainer, RemovePodSandbox and PullImage during churn and checks after each restart that
 * the client lost nothing and the host holds nothing half-made. The suite runs 5 kills with a fixed seed;
 * {@code deploy/crash.sh} runs the same driver with more ({@code -Dberth.crash.kills}, {@code -Dberth.crash.seed}).
 */
@Tag("host")
class CrashAnywhereTest {

    private TestRegistry registry;
    private DaemonUnderTest daemon;

    @BeforeEach
    void setUp() throws Exception {
        registry = TestRegistry.start();
        daemon = new DaemonUnderTest(registry.address(), "");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            daemon.removeAllPodsAndCheckNothingLeft();
        } finally {
            daemon.close();
            registry.close();
        }
    }

    @Test
    void killedInsideAnyCallTheDaemonLosesNothingAndLeavesNothingHalfMade() throws Exception {
        int kills = Integer.getInteger("berth.crash.kills", 5);
        long seed = Long.getLong("berth.crash.seed", 20261204L);
        PushedImage busybox = BusyboxImages.busybox(registry, "crash/busybox", "v1");
        // Its own 8 MiB layer (random, so gzip cannot shrink it): a pull long enough to be killed half-way.
        PushedImage pulled = BusyboxImages.busyboxWith(registry, "crash/pulled", "v1", LayerBuilder.create()
                .file("data/blob", new RandomBytes(seed, 8 << 20).readAllBytes(), 0644).build(Compression.GZIP));
        daemon.start();
        try (CriClient client = daemon.connect()) {
            client.images().pullImage(PullImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
        }
        CrashDriver.Report report = new CrashDriver(daemon, seed, busybox.imageId(), pulled.reference()).run(kills);
        System.out.println(report.line() + ", seed " + seed);
        assertEquals(kills, report.kills());
    }
}
