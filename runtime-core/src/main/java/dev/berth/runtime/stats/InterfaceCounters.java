package dev.berth.runtime.stats;

/** Cumulative counters of one network interface, as /proc/net/dev gives them. */
public record InterfaceCounters(String name, long rxBytes, long rxErrors, long txBytes, long txErrors) {
}
