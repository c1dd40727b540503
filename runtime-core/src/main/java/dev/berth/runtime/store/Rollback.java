package dev.berth.runtime.store;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The undo steps of a multi-step creation: each done step pushes its undo; on failure they run newest first, each
 * best-effort (a failing undo is logged and the rest still run), so a failed Run/Create leaves nothing behind.
 */
public final class Rollback {

    private static final Logger LOG = LoggerFactory.getLogger(Rollback.class);

    private final String subject;
    private final Deque<Step> steps = new ArrayDeque<>();

    /** @param subject what is being created, for the log ("sandbox 3f2a…") */
    public Rollback(String subject) {
        this.subject = subject;
    }

    public void push(String name, Runnable undo) {
        steps.push(new Step(name, undo));
    }

    /** Undoes every step done so far, newest first. */
    public void run() {
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            try {
                step.undo().run();
                LOG.debug("event=rollback_step subject=\"{}\" step={}", subject, step.name());
            } catch (RuntimeException e) {
                LOG.warn("event=rollback_step_failed subject=\"{}\" step={} error=\"{}\"", subject, step.name(),
                        e.getMessage());
            }
        }
    }

    private record Step(String name, Runnable undo) {
    }
}
