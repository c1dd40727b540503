package dev.berth.cni;

/**
 * Counters since {@link PodNetwork#open}: for metrics and for tests that prove a failure was seen but tolerated.
 *
 * @param attaches        attachments completed
 * @param attachFailures  attaches that failed (and were unwound)
 * @param detaches        detach calls that completed (always, even after tolerated errors)
 * @param teardownErrors  errors tolerated while tearing down (a plugin DEL, a link, an nft element)
 * @param pluginErrors    CNI plugin invocations that returned an error, on any command
 * @param garbageCollected attachments removed by garbage collection
 */
public record NetworkStats(long attaches, long attachFailures, long detaches, long teardownErrors, long pluginErrors,
                           long garbageCollected) {
}
