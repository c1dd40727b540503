package dev.berth.cri.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.Leftovers;
import dev.berth.testing.registry.TestRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Seeded random fuzzing of every RuntimeService and ImageService RPC against the real daemon: kubelet-like requests
 * mutated field by field and byte by byte (see {@link FuzzRunner} for the oracle).
 *
 * <p>The CI form runs for {@code berth.fuzz.seconds} (default 10) or {@code berth.fuzz.cases}, whichever ends first;
 * {@code deploy/fuzz.sh} runs the long form. A run is reproduced with {@code -Dberth.fuzz.seed=S}, the seed printed in
 * the summary line and in every failure.
 */
@Tag("host")
class CriFuzzTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static FuzzFixture fixture;

    @BeforeAll
    static void makeFixture() {
        fixture = new FuzzFixture(berth, registry);
        fixture.start();
    }

    @AfterAll
    static void removeFixtureAndCheckLeftovers() {
        try {
            fixture.remove();
        } finally {
            registry.close();
            berth.stopDaemon();
        }
        assertEquals(List.of(), Leftovers.podMountsUnder(berth.home(), berth.state()), "pod mounts left behind");
        assertEquals(List.of(), Leftovers.processesUsing(berth.home(), berth.state()), "processes left behind");
        assertEquals(List.of(), Leftovers.podCgroupsUnder(berth.cgroupParent()), "pod cgroups left behind");
    }

    @Test
    void mutatedRequestsForEveryRpcEndWithAClientStatusAndLeaveNoTrace() {
        // One fixed seed in the suite, so a CI run is repeatable; deploy/fuzz.sh explores with fresh seeds.
        long seed = Long.getLong("berth.fuzz.seed", 20261204L);
        long maxCases = Long.getLong("berth.fuzz.cases", Long.MAX_VALUE);
        Duration budget = Duration.ofSeconds(Long.getLong("berth.fuzz.seconds", 10));
        FuzzRunner runner = new FuzzRunner(fixture, seed);
        runner.runSeeds();
        runner.run(maxCases, budget);
        System.out.println(runner.summary());
        runner.findings().forEach(finding -> System.out.println("fuzz finding: " + finding));
        assertEquals(List.of(), runner.findings(), runner.summary());
        assertEquals(Set.of(), runner.etcChanges(), "/etc changed during the run, " + runner.summary());
        // The seeds of all 41 methods and then random cases: a run that got no further than the seeds stalled.
        assertTrue(runner.cases() >= runner.methods().size() + Math.min(maxCases, 20), runner.summary());
    }
}
