/**
 * berth against containerd over CRI, side by side on one machine: {@link dev.berth.bench.CompareMain} starts a
 * private containerd 1.6 ({@link dev.berth.bench.ContainerdInstance}) and a private berth
 * ({@link dev.berth.bench.BerthInstance}), one after the other, drives both with the same CRI client
 * ({@link dev.berth.bench.CriEndpoint}) through the scenarios in {@code dev.berth.bench.scenario}, and prints p50/p90/mean
 * per step with the berth/containerd ratio and the bare-runc floor. Run it with {@code deploy/bench/compare.sh} (root).
 *
 * <p>Nothing here runs in the test suite: timings belong to benchmarks. Every instance lives in its own directory
 * under /tmp with its own bridge, subnet and cgroup parent, and its close removes every trace (pods through CRI, then
 * the daemon by PID, shims and monitors by their arguments, mounts, links, NAT rules, cgroups).
 */
package dev.berth.bench;
