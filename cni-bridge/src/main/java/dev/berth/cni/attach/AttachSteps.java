package dev.berth.cni.attach;

import dev.berth.common.error.BerthException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An attach as a list of small undoable steps: each step that succeeds registers its undo; when a later step fails,
 * every done step is taken back, newest first, and the failure reaches the caller as a {@link BerthException} that
 * names the step. An undo that fails is logged and attached to the error, and unwinding goes on: a half-undone
 * attach is still found and removed by garbage collection.
 */
public final class AttachSteps {

    private static final Logger LOG = LoggerFactory.getLogger(AttachSteps.class);

    private record Undo(String step, Runnable action) {
    }

    /** A step running on another thread; {@link #await} it before depending on its effect. */
    public record Pending(String step, CompletableFuture<Void> future) {
    }

    private final String sandboxId;
    private final Deque<Undo> undos = new ArrayDeque<>();

    public AttachSteps(String sandboxId) {
        this.sandboxId = sandboxId;
    }

    /** Runs a step that yields a value; {@code undo} receives that value if a later step fails. */
    public <T> T run(String step, Supplier<T> action, Consumer<T> undo) {
        T value;
        long started = System.nanoTime();
        try {
            value = action.get();
        } catch (RuntimeException e) {
            throw fail(step, e);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("attach step done sandbox={} step={} us={}", sandboxId, step,
                    (System.nanoTime() - started) / 1000);
        }
        undos.push(new Undo(step, () -> undo.accept(value)));
        return value;
    }

    public void run(String step, Runnable action, Runnable undo) {
        run(step, () -> {
            action.run();
            return Boolean.TRUE;
        }, ignored -> undo.run());
    }

    /**
     * Starts a step on another thread, so that it overlaps with the next ones. Its undo waits for it to end and
     * then runs whatever the outcome (a half-done step needs undoing too), so it must be idempotent.
     */
    public Pending start(String step, Runnable action, Runnable undo, Executor executor) {
        CompletableFuture<Void> future = CompletableFuture.runAsync(action, executor);
        undos.push(new Undo(step, () -> {
            future.handle((ok, error) -> null).join();
            undo.run();
        }));
        return new Pending(step, future);
    }

    /** Waits for a started step; if it failed, everything done so far is unwound and the failure thrown. */
    public void await(Pending pending) {
        try {
            pending.future().join();
        } catch (CompletionException e) {
            RuntimeException cause = e.getCause() instanceof RuntimeException r ? r
                    : new IllegalStateException(e.getCause());
            throw fail(pending.step(), cause);
        }
    }

    /** Unwinds everything done so far because of a failure outside any step; returns the error to throw. */
    public BerthException fail(String step, RuntimeException cause) {
        while (!undos.isEmpty()) {
            Undo undo = undos.pop();
            try {
                undo.action().run();
            } catch (RuntimeException e) {
                LOG.warn("attach undo failed sandbox={} step={} error={}", sandboxId, undo.step(), e.getMessage());
                cause.addSuppressed(e);
            }
        }
        LOG.warn("attach failed sandbox={} step={} error={}", sandboxId, step, cause.getMessage());
        if (cause instanceof BerthException berth) {
            return berth;
        }
        return BerthException.internal("attaching sandbox " + sandboxId + " to the pod network failed at "
                + step + ": " + cause.getMessage(), cause);
    }
}
