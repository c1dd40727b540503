package dev.berth.image.pull;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Lets whoever asked for a pull call it off before its deadline, as when the gRPC client that asked has gone away.
 * A cancelled pull stops its downloads (unless another pull waits for the same content) and fails with CANCELLED.
 */
public final class PullCancellation {

    private final CompletableFuture<String> reason = new CompletableFuture<>();

    /** A pull that only its deadline and progress timeout end. */
    public static PullCancellation none() {
        return new PullCancellation();
    }

    /** Calls the pull off; the first reason wins, later calls do nothing. */
    public void cancel(String why) {
        reason.complete(why);
    }

    public boolean isCancelled() {
        return reason.isDone();
    }

    /** Runs {@code action} with the reason once the pull is called off (at once if it already is). */
    void whenCancelled(Consumer<String> action) {
        reason.thenAccept(action);
    }
}
