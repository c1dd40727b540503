package dev.berth.image.pull;

import dev.berth.common.error.BerthException;
import dev.berth.image.registry.TransferControl;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Shares one download among every pull that needs the same content. The download belongs to no single caller:
 * each waits with its own deadline, and the download is cancelled only when the last waiter has gone. A cancelled
 * download is never joined; a newcomer starts a fresh one.
 *
 * @param <V> what the download produces
 */
public final class SingleFlight<V> {

    /** How long a departing waiter waits for a cancelled download to clean up after itself. */
    private static final Duration SETTLE = Duration.ofSeconds(30);

    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final Duration progressTimeout;
    private final Map<String, Flight> flights = new HashMap<>();

    public SingleFlight(Executor executor, ScheduledExecutorService scheduler, Duration progressTimeout) {
        this.executor = executor;
        this.scheduler = scheduler;
        this.progressTimeout = progressTimeout;
    }

    /** Joins the download of {@code key}, starting it with {@code work} if none is running. */
    public Ticket join(String key, Function<TransferControl, V> work) {
        synchronized (flights) {
            Flight flight = flights.get(key);
            if (flight == null || flight.control.isAborted()) {
                Flight fresh = new Flight(new TransferControl(null, progressTimeout, scheduler));
                flights.put(key, fresh);
                executor.execute(() -> run(key, fresh, work));
                flight = fresh;
            }
            flight.waiters++;
            return new Ticket(flight);
        }
    }

    /**
     * Cancels every download (at shutdown): waiters get CANCELLED at once, queued downloads never start, running
     * ones stop at their next read and clean up.
     */
    public void cancelAll(String why) {
        List<Flight> all;
        synchronized (flights) {
            all = List.copyOf(flights.values());
        }
        for (Flight flight : all) {
            BerthException cause = new BerthException(BerthException.Kind.CANCELLED, why);
            flight.control.abort(cause);
            flight.result.completeExceptionally(cause);
        }
    }

    /** Number of downloads running or queued, for tests and metrics. */
    public int inFlight() {
        synchronized (flights) {
            return flights.size();
        }
    }

    private void run(String key, Flight flight, Function<TransferControl, V> work) {
        try {
            flight.control.checkActive();
            flight.result.complete(work.apply(flight.control));
        } catch (Throwable t) {
            flight.result.completeExceptionally(t);
        } finally {
            synchronized (flights) {
                flights.remove(key, flight);
            }
        }
    }

    private final class Flight {
        final TransferControl control;
        final CompletableFuture<V> result = new CompletableFuture<>();
        int waiters;

        Flight(TransferControl control) {
            this.control = control;
        }
    }

    /** One caller's interest in a download. */
    public final class Ticket {
        private final Flight flight;
        private boolean left;

        private Ticket(Flight flight) {
            this.flight = flight;
        }

        /**
         * Waits for the result until {@code deadline} or until the waiting pull's own transfer is aborted (its
         * caller went away); then leaves (cancelling if last) and fails.
         */
        public V await(Instant deadline, TransferControl waiter) {
            try {
                long millis = Duration.between(Instant.now(), deadline).toMillis();
                if (millis <= 0) {
                    throw new TimeoutException();
                }
                CompletableFuture.anyOf(flight.result, waiter.whenAborted()).get(millis, TimeUnit.MILLISECONDS);
                if (!flight.result.isDone()) {
                    leave();
                    settle();
                    BerthException cause = waiter.abortCause();
                    throw new BerthException(cause.kind(), cause.getMessage(), cause);
                }
                return flight.result.get();
            } catch (TimeoutException e) {
                leave();
                settle();
                throw new BerthException(BerthException.Kind.DEADLINE_EXCEEDED, "deadline exceeded");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                leave();
                throw new BerthException(BerthException.Kind.CANCELLED, "pull interrupted");
            } catch (ExecutionException e) {
                throw rethrow(e.getCause());
            }
        }

        /** Stops waiting; the download is cancelled when nobody else waits for it. */
        public void leave() {
            synchronized (flights) {
                if (left) {
                    return;
                }
                left = true;
                flight.waiters--;
                if (flight.waiters == 0 && !flight.result.isDone()) {
                    flight.control.abort(new BerthException(BerthException.Kind.CANCELLED,
                            "download cancelled: no pull waits for it any more"));
                }
            }
        }

        /** After leaving: waits (bounded) until a cancelled download has removed what it wrote. */
        public void settle() {
            if (!flight.control.isAborted()) {
                return;
            }
            try {
                flight.result.get(SETTLE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // the outcome is the download's business now
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static BerthException rethrow(Throwable cause) {
        if (cause instanceof BerthException be) {
            // A fresh exception per waiter: the shared one's stack belongs to the download thread.
            return new BerthException(be.kind(), be.getMessage(), be);
        }
        return new BerthException(BerthException.Kind.INTERNAL, "download failed: " + cause, cause);
    }
}
