package dev.berth.bench.scenario;

import dev.berth.bench.CriEndpoint;
import dev.berth.bench.RuntimeUnderTest;
import dev.berth.bench.stats.StepException;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.testing.image.PushedImage;
import java.time.Duration;

/**
 * PullImage of an image the runtime already has (imagePullPolicy Always on a node that has the image): only the
 * manifest is fetched again. One unrecorded pull first makes the image present.
 */
public final class WarmPullScenario implements CriScenario {

    private final PushedImage image;
    private final Settings settings;

    public WarmPullScenario(PushedImage image, Settings settings) {
        this.image = image;
        this.settings = settings;
    }

    @Override
    public String name() {
        return "warm re-pull";
    }

    @Override
    public Outcome run(RuntimeUnderTest runtime) {
        CriEndpoint cri = runtime.endpoint();
        Measurement m = new Measurement();
        PullImageRequest request = PullImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(image.reference())).build();
        return m.run(name() + " on " + runtime.label(), () -> {
            StepException.wrap("PullImage", () -> cri.images(Duration.ofMinutes(5)).pullImage(request));
            for (int i = 0; i < settings.warmup() + settings.iterations(); i++) {
                m.recorder.recording(i >= settings.warmup());
                m.recorder.time("PullImage (present)", () -> cri.images(Duration.ofMinutes(5)).pullImage(request));
            }
        }, () -> { });
    }
}
