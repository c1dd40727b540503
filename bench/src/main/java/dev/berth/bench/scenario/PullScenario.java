package dev.berth.bench.scenario;

import dev.berth.bench.CriEndpoint;
import dev.berth.bench.RuntimeUnderTest;
import dev.berth.bench.stats.Samples;
import dev.berth.bench.stats.StepException;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemoveImageRequest;
import dev.berth.testing.image.PushedImage;
import java.time.Duration;
import java.util.Locale;

/**
 * Cold pulls of the large image: PullImage timed; then RemoveImage (untimed) and a wait until the runtime has really
 * freed the bytes (its garbage collection may lag the RPC) before the next one. One unrecorded warm-up pull, then
 * {@code pulls} recorded ones; throughput is the compressed size over the median.
 */
public final class PullScenario implements CriScenario {

    /** Metadata databases grow a little with every pull; this much growth still counts as "removed". */
    private static final long SLACK_BYTES = 8L * 1024 * 1024;
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

    private final PushedImage image;
    private final Settings settings;

    public PullScenario(PushedImage image, Settings settings) {
        this.image = image;
        this.settings = settings;
    }

    @Override
    public String name() {
        return "pull 150 MB (4 layers)";
    }

    @Override
    public Outcome run(RuntimeUnderTest runtime) {
        CriEndpoint cri = runtime.endpoint();
        Measurement m = new Measurement();
        PullImageRequest pull = PullImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(image.reference())).build();
        return m.run(name() + " on " + runtime.label(), () -> {
            // A fresh instance holds no copy of the image: the warm-up pull is cold too, and PullImage is the
            // first call, so a runtime without an image service says so for PullImage.
            long base = settled(runtime);
            for (int i = 0; i < 1 + settings.pulls(); i++) {
                m.recorder.recording(i >= 1);
                if (i > 0) {
                    remove(cri);
                    awaitFreed(runtime, base, i - 1, m);
                }
                m.recorder.time("PullImage", () -> cri.images(Duration.ofMinutes(10)).pullImage(pull));
                long added = runtime.storedBytes() - base;
                if (added < image.size() * 9 / 10) {
                    m.notes.add(String.format(Locale.ROOT, "pull %d stored only %.1f MB: served from a cache?", i,
                            added / 1e6));
                }
                if (i == 0) {
                    m.notes.add(String.format(Locale.ROOT, "a pull stores %.1f MB (blobs and unpacked layers)",
                            added / 1e6));
                }
            }
            Samples pulls = m.recorder.results().get("PullImage");
            m.notes.add(String.format(Locale.ROOT, "%.1f MB/s at the median (%.1f MB compressed)",
                    image.size() / 1e6 / (pulls.p50Millis() / 1e3), image.size() / 1e6));
        }, () -> {
            try {
                remove(cri);
            } catch (StepException ignored) {
                // the instance is about to be torn down anyway
            }
        });
    }

    private void remove(CriEndpoint cri) {
        StepException.wrap("RemoveImage", () -> cri.images().removeImage(RemoveImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(image.reference())).build()));
    }

    /** The runtime's stored bytes once they stop changing: the baseline without the image. */
    private static long settled(RuntimeUnderTest runtime) {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        long previous = runtime.storedBytes();
        while (System.nanoTime() < deadline) {
            sleep(200);
            long now = runtime.storedBytes();
            if (now == previous) {
                return now;
            }
            previous = now;
        }
        return previous;
    }

    /** Waits until the removal freed the image's bytes, so the next pull downloads and unpacks everything again. */
    private static void awaitFreed(RuntimeUnderTest runtime, long base, int pull, Measurement m) {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        long stored = runtime.storedBytes();
        while (stored > base + SLACK_BYTES && System.nanoTime() < deadline) {
            sleep(50);
            stored = runtime.storedBytes();
        }
        if (stored > base + SLACK_BYTES) {
            m.notes.add(String.format(Locale.ROOT, "RemoveImage after pull %d left %.1f MB behind", pull,
                    (stored - base) / 1e6));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
