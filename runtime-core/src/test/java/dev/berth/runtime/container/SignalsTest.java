package dev.berth.runtime.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.Signal;
import org.junit.jupiter.api.Test;

class SignalsTest {

    @Test
    void namesAndNumbers() {
        assertEquals(15, Signals.number("SIGTERM"));
        assertEquals(15, Signals.number("TERM"));
        assertEquals(15, Signals.number("15"));
        assertEquals(10, Signals.number("sigusr1"));
        assertEquals(37, Signals.number("SIGRTMIN+3"));
        assertEquals(62, Signals.number("SIGRTMAX-2"));
        assertEquals("SIGRTMIN+3", Signals.canonical("SIGRTMINPLUS3"));
        assertEquals("SIGRTMAX-2", Signals.canonical("SIGRTMAXMINUS2"));
        assertEquals("SIGQUIT", Signals.canonical("3"));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, assertThrows(BerthException.class,
                () -> Signals.number("SIGNOPE")).kind());
    }

    @Test
    void everyCriSignalHasANumber() {
        for (Signal signal : Signal.values()) {
            if (signal == Signal.RUNTIME_DEFAULT || signal == Signal.UNRECOGNIZED) {
                continue;
            }
            int number = Signals.number(signal.name());
            assertEquals(number, Signals.number(Signals.canonical(signal.name())), signal.name());
        }
    }

    @Test
    void resourceUpdatesKeepUnsetFields() {
        ResourceLimits current = new ResourceLimits(100_000, 50_000, 512, 1L << 26, 0, "0", "", null, null, 0);
        ResourceLimits update = new ResourceLimits(0, 20_000, 0, 1L << 27, 0, "", "", null, null, 0);
        ResourceLimits merged = ResourceUpdater.merge(current, update);
        assertEquals(100_000, merged.cpuPeriod());
        assertEquals(20_000, merged.cpuQuota());
        assertEquals(512, merged.cpuShares());
        assertEquals(1L << 27, merged.memoryLimitInBytes());
        assertEquals("0", merged.cpusetCpus());
    }
}
