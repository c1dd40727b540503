package dev.berth.runtime.host.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.testing.TestHost;
import dev.berth.runtime.testing.TestIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A conmon started ahead of its bundle: it waits, an abort kills it and leaves nothing, a release creates. */
@Tag("host")
class PendingContainerTest {

    @Test
    void abortedConmonIsKilledAndItsNewLogRemoved() throws Exception {
        try (TestHost host = TestHost.create()) {
            String id = TestIds.id64();
            Path bundle = host.dir("bundle-" + id.substring(0, 8));
            Path log = host.dir("logs").resolve("c.log");
            PendingContainer pending = prepare(host, id, bundle, log);
            List<Long> waiting = host.awaitProcessesUsingStateDir();
            assertFalse(waiting.isEmpty(), "conmon waits on its start pipe");
            pending.close();
            pending.close(); // idempotent
            for (long pid : waiting) {
                assertTrue(ProcessHandle.of(pid).isEmpty() || !ProcessHandle.of(pid).get().isAlive(),
                        "conmon " + pid + " still runs");
            }
            assertTrue(host.processesUsingStateDir().isEmpty());
            assertFalse(Files.exists(log), "the log conmon opened is removed");
            assertTrue(host.runtime().state(id).isEmpty());
            assertThrows(IllegalStateException.class, pending::create);
        }
    }

    @Test
    void abortKeepsALogThatExistedBefore() throws Exception {
        try (TestHost host = TestHost.create()) {
            String id = TestIds.id64();
            Path bundle = host.dir("bundle-" + id.substring(0, 8));
            Path log = host.dir("logs").resolve("c.log");
            Files.writeString(log, "earlier\n");
            try (PendingContainer pending = prepare(host, id, bundle, log)) {
                assertEquals(id, pending.containerId());
            }
            assertEquals("earlier\n", Files.readString(log));
            assertTrue(host.processesUsingStateDir().isEmpty());
        }
    }

    @Test
    void releasedWithoutASpecFailsWithTheRuntimesErrorAndLeavesNothing() throws Exception {
        try (TestHost host = TestHost.create()) {
            String id = TestIds.id64();
            Path bundle = host.dir("bundle-" + id.substring(0, 8));
            Path log = host.dir("logs").resolve("c.log");
            try (PendingContainer pending = prepare(host, id, bundle, log)) {
                BerthException e = assertThrows(BerthException.class, pending::create);
                assertEquals(BerthException.Kind.INTERNAL, e.kind());
            }
            assertTrue(host.runtime().state(id).isEmpty());
            // conmon reports the failure and then exits on its own.
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!host.processesUsingStateDir().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(host.processesUsingStateDir().isEmpty());
            host.conmon().cleanup(id, bundle);
        }
    }

    /** conmon for a plain container (no stdin, no tty, no log limit), waiting on its start pipe. */
    private static PendingContainer prepare(TestHost host, String id, Path bundle, Path log) {
        return host.conmon().prepare(new ConmonLaunch(id, bundle, bundle, log, false, false, false, 0));
    }
}
