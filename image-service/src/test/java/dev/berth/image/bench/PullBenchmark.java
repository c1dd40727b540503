package dev.berth.image.bench;

import dev.berth.common.fs.Trees;
import dev.berth.image.ImageAssembly;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageStore;
import dev.berth.image.ImageStoreConfig;
import dev.berth.image.RegistryConfig;
import dev.berth.image.RegistryCredentials;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Pulls the ~150 MB 4-layer test image from a local docker-registry 5 times (removing it before each pull) and
 * prints the median time and throughput. Not a test: run it by hand, e.g.
 * <pre>
 * mvn -q -o -pl image-service test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp image-service/target/test-classes:image-service/target/classes:$(cat image-service/target/cp.txt) \
 *     dev.berth.image.bench.PullBenchmark [runs] [parallelism]
 * </pre>
 */
public final class PullBenchmark {

    private static final long IMAGE_BYTES = 150L * 1024 * 1024;
    private static final int LAYERS = 4;

    private PullBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int parallelism = args.length > 1 ? Integer.parseInt(args[1]) : ImageStoreConfig.DEFAULT_PULL_PARALLELISM;
        Path root = Files.createTempDirectory("berth-pull-bench-");
        try (TestRegistry registry = TestRegistry.start()) {
            long pushStart = System.nanoTime();
            PushedImage image = BusyboxImages.large(registry, LAYERS, IMAGE_BYTES);
            System.out.printf("pushed %s (%d compressed bytes) in %.1f s%n", image.reference(), image.size(),
                    (System.nanoTime() - pushStart) / 1e9);
            ImageStoreConfig config = ImageStoreConfig.defaults(root).withPullParallelism(parallelism)
                    .withRegistry(registry.address(), RegistryConfig.insecureRegistry());
            List<Double> seconds = new ArrayList<>();
            try (ImageAssembly images = ImageAssembly.open(config)) {
                ImageStore store = images.store();
                for (int run = 1; run <= runs; run++) {
                    store.remove(image.reference());
                    long start = System.nanoTime();
                    ImageRecord record = store.pull(image.reference(), RegistryCredentials.anonymous(),
                            Instant.now().plus(Duration.ofMinutes(10)));
                    double s = (System.nanoTime() - start) / 1e9;
                    seconds.add(s);
                    System.out.printf("run %d: %.2f s, %.1f MB/s (%s)%n", run, s, record.size() / 1e6 / s,
                            record.id());
                }
                store.remove(image.reference());
            }
            Collections.sort(seconds);
            double median = seconds.get(seconds.size() / 2);
            System.out.printf("berth pull of %d MB in %d layers, parallelism %d: median %.2f s, %.1f MB/s over %d runs%n",
                    image.size() / 1_000_000, LAYERS, parallelism, median, image.size() / 1e6 / median, runs);
        } finally {
            Trees.deleteRecursively(root);
        }
    }
}
