package dev.berth.image.registry;

import dev.berth.common.error.BerthException;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Limits a transfer: an optional deadline (the caller's), a progress timeout (no byte for that long cancels it) and
 * explicit cancellation. Aborting closes the transfer's open response streams, which unblocks a reader stuck in
 * {@code read}; the reader then sees the abort cause instead of an I/O error.
 */
public final class TransferControl {

    private final Instant deadline;
    private final Duration progressTimeout;
    private final ScheduledExecutorService scheduler;
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> aborted = new CompletableFuture<>();
    private volatile BerthException abortCause;

    /**
     * @param deadline        when the caller stops waiting; null when only cancellation ends the transfer
     * @param progressTimeout longest stretch without data
     * @param scheduler       runs the progress and deadline checks
     */
    public TransferControl(Instant deadline, Duration progressTimeout, ScheduledExecutorService scheduler) {
        this.deadline = deadline;
        this.progressTimeout = progressTimeout;
        this.scheduler = scheduler;
    }

    /** Throws the abort cause, or DEADLINE_EXCEEDED once the deadline has passed. */
    public void checkActive() {
        BerthException cause = abortCause;
        if (cause != null) {
            throw cause;
        }
        if (deadline != null && !Instant.now().isBefore(deadline)) {
            abort(deadlineExceeded());
            throw abortCause;
        }
    }

    public boolean isAborted() {
        return abortCause != null;
    }

    /** The first abort cause, or null. */
    public BerthException abortCause() {
        return abortCause;
    }

    /** Stops the transfer; the first cause wins. Open streams are closed so blocked reads return. */
    public void abort(BerthException cause) {
        synchronized (this) {
            if (abortCause != null) {
                return;
            }
            abortCause = cause;
        }
        aborted.complete(null);
        for (Closeable c : open) {
            closeQuietly(c);
        }
    }

    /** Completes when the transfer is aborted, so a wait on something else can end early. */
    public CompletableFuture<Void> whenAborted() {
        return aborted.copy();
    }

    /** Registers something to close when the transfer is aborted (an in-flight request, a stream). */
    public void track(Closeable closeable) {
        open.add(closeable);
        if (isAborted()) {
            closeQuietly(closeable);
        }
    }

    public void untrack(Closeable closeable) {
        open.remove(closeable);
    }

    /** How long to wait for a response's headers: the progress timeout, cut short by the deadline. */
    public Duration requestTimeout() {
        checkActive();
        Duration timeout = progressTimeout;
        if (deadline != null) {
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.compareTo(timeout) < 0) {
                timeout = left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left;
            }
        }
        return timeout;
    }

    public Duration progressTimeout() {
        return progressTimeout;
    }

    /** Whether the deadline has passed (false without a deadline). */
    public boolean deadlinePassed() {
        return deadline != null && !Instant.now().isBefore(deadline);
    }

    /**
     * Fails with DEADLINE_EXCEEDED when the deadline has passed or is a hair away: a request timeout cut short by
     * the deadline may fire a moment before the wall clock reaches it.
     */
    public void checkDeadlineNear() {
        checkActive();
        if (deadline != null && Duration.between(Instant.now(), deadline).toMillis() < 100) {
            abort(deadlineExceeded());
            throw abortCause;
        }
    }

    /** Waits for a backoff, returning early (with the abort cause) when the transfer is aborted. */
    public void sleep(Duration pause) {
        checkActive();
        long millis = pause.toMillis();
        if (deadline != null) {
            millis = Math.min(millis, Math.max(0, Duration.between(Instant.now(), deadline).toMillis()));
        }
        try {
            aborted.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the pause is over
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(new BerthException(BerthException.Kind.CANCELLED, "transfer interrupted"));
        }
        checkActive();
    }

    /**
     * Wraps a response body: every byte counts as progress; too long without one, or the deadline, aborts the
     * transfer. Reads after an abort throw the abort cause.
     */
    public InputStream watch(InputStream body, String what) {
        ProgressStream stream = new ProgressStream(body, what);
        open.add(stream);
        if (isAborted()) {
            closeQuietly(stream);
        }
        stream.scheduleCheck(progressTimeout.toNanos());
        return stream;
    }

    private BerthException deadlineExceeded() {
        return new BerthException(BerthException.Kind.DEADLINE_EXCEEDED, "deadline exceeded");
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // closing only unblocks the reader; its outcome is reported through the abort cause
        }
    }

    private final class ProgressStream extends FilterInputStream {
        private final String what;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean closed;
        private ScheduledFuture<?> check;

        ProgressStream(InputStream in, String what) {
            super(in);
            this.what = what;
        }

        synchronized void scheduleCheck(long delayNanos) {
            if (closed) {
                return;
            }
            long untilDeadline = deadline == null ? Long.MAX_VALUE
                    : Math.max(0, Duration.between(Instant.now(), deadline).toNanos());
            check = scheduler.schedule(this::check, Math.min(delayNanos, untilDeadline) + 1_000_000,
                    TimeUnit.NANOSECONDS);
        }

        private void check() {
            if (closed) {
                return;
            }
            if (deadlinePassed()) {
                abort(deadlineExceeded());
                return;
            }
            long idle = System.nanoTime() - lastProgress;
            if (idle >= progressTimeout.toNanos()) {
                abort(new BerthException(BerthException.Kind.CANCELLED, "no data received for "
                        + progressTimeout.toSeconds() + "s while downloading " + what + " (progress timeout)"));
                return;
            }
            scheduleCheck(progressTimeout.toNanos() - idle);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            checkActive();
            int n;
            try {
                n = super.read(b, off, len);
            } catch (IOException e) {
                checkActive();
                throw e;
            }
            if (n < 0) {
                checkActive();
            } else if (n > 0) {
                lastProgress = System.nanoTime();
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[(int) Math.min(n, 8192)];
            int read = read(buffer, 0, buffer.length);
            return Math.max(read, 0);
        }

        @Override
        public void close() throws IOException {
            ScheduledFuture<?> pending;
            synchronized (this) {
                closed = true;
                pending = check;
            }
            if (pending != null) {
                pending.cancel(false);
            }
            open.remove(this);
            super.close();
        }
    }
}
