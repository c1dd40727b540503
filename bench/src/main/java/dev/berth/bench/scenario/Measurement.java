package dev.berth.bench.scenario;

import dev.berth.bench.stats.Recorder;
import dev.berth.bench.stats.StepException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a scenario body, turns its failure into an {@link Outcome}, and always runs its cleanup. */
final class Measurement {

    private static final Logger LOG = LoggerFactory.getLogger(Measurement.class);

    final Recorder recorder = new Recorder();
    final List<String> notes = new ArrayList<>();

    Outcome run(String what, Runnable body, Runnable cleanup) {
        try {
            body.run();
            return new Outcome.Measured(recorder.results(), notes);
        } catch (StepException e) {
            Outcome outcome = Outcome.of(e);
            if (outcome instanceof Outcome.Failed) {
                LOG.warn("{} failed at {}", what, e.step(), e);
            } else {
                LOG.info("{}: {}", what, outcome);
            }
            return outcome;
        } catch (RuntimeException e) {
            LOG.warn("{} failed", what, e);
            return new Outcome.Failed("", e.toString());
        } finally {
            try {
                cleanup.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: cleanup failed", what, e);
            }
        }
    }
}
