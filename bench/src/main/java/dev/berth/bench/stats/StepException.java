package dev.berth.bench.stats;

import java.util.function.Supplier;

/** A call of a scenario failed; says which step (usually the CRI method) it was. */
public final class StepException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String step;

    public StepException(String step, RuntimeException cause) {
        super(step + ": " + cause.getMessage(), cause);
        this.step = step;
    }

    public String step() {
        return step;
    }

    /** Runs an untimed call (setup, checks) so its failure names the step too. */
    public static <T> T wrap(String step, Supplier<T> call) {
        try {
            return call.get();
        } catch (StepException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StepException(step, e);
        }
    }
}
