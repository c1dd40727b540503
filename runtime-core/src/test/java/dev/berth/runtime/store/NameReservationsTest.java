package dev.berth.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NameReservationsTest {

    private final NameReservations names = new NameReservations("pod sandbox");
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void aRetryWhileTheFirstRunsWaitsAndGetsTheFirstResult() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger creations = new AtomicInteger();
        Future<String> first = pool.submit(() -> names.reserve("web", "fp1", "id-1", () -> {
            creations.incrementAndGet();
            entered.countDown();
            await(release);
        }));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        Future<String> retry = pool.submit(() -> names.reserve("web", "fp1", "id-2", creations::incrementAndGet));
        BerthException conflict = assertThrows(BerthException.class,
                () -> names.reserve("web", "fp2", "id-3", creations::incrementAndGet));
        assertEquals(BerthException.Kind.ALREADY_EXISTS, conflict.kind());
        assertTrue(conflict.getMessage().contains("id-1"), conflict.getMessage());
        assertFalse(retry.isDone() && !first.isDone(), "the retry returned before the first call finished");
        release.countDown();
        assertEquals("id-1", first.get(10, TimeUnit.SECONDS));
        assertEquals("id-1", retry.get(10, TimeUnit.SECONDS));
        assertEquals(1, creations.get());
        // Afterwards the same request still maps to the holder; the name stays taken for others.
        assertEquals("id-1", names.reserve("web", "fp1", "id-4", creations::incrementAndGet));
        assertEquals(1, creations.get());
    }

    @Test
    void aFailedCreationFreesTheNameAndItsRetriesGetTheError() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> first = pool.submit(() -> names.reserve("web", "fp", "id-1", () -> {
            entered.countDown();
            await(release);
            throw BerthException.invalidArgument("bad hostname");
        }));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        Throwable[] retryError = new Throwable[1];
        Thread retry = new Thread(() -> {
            try {
                names.reserve("web", "fp", "id-2", () -> { });
            } catch (BerthException e) {
                retryError[0] = e;
            }
        });
        retry.start();
        // Release the first call only once the retry is parked waiting for it.
        while (retry.getState() != Thread.State.WAITING && retry.isAlive()) {
            Thread.sleep(1);
        }
        release.countDown();
        Exception firstError = assertThrows(Exception.class, () -> first.get(10, TimeUnit.SECONDS));
        assertTrue(firstError.getCause() instanceof BerthException);
        retry.join(10_000);
        BerthException copied = (BerthException) retryError[0];
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, copied.kind());
        assertTrue(names.holder("web").isEmpty());
        assertEquals("id-5", names.reserve("web", "fp", "id-5", () -> { }));
    }

    @Test
    void releaseOnlyFreesTheHoldersName() {
        names.claim("web", "id-1", "fp");
        names.release("web", "someone-else");
        assertEquals("id-1", names.holder("web").orElseThrow());
        names.release("web", "id-1");
        assertTrue(names.holder("web").isEmpty());
        assertEquals("id-2", names.reserve("web", "other", "id-2", () -> { }));
    }

    @Test
    void aClaimedNameConflictsWithADifferentRequest() {
        names.claim("web", "id-1", "fp");
        BerthException e = assertThrows(BerthException.class, () -> names.reserve("web", "fp2", "id-2", () -> { }));
        assertEquals(BerthException.Kind.ALREADY_EXISTS, e.kind());
        assertSame("id-1", names.holder("web").orElseThrow());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
