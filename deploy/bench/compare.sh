#!/usr/bin/env bash
# Benchmarks berth against Debian's containerd 1.6 over CRI on this machine: both driven by the same CRI client,
# one after the other, each a private instance (own socket, root, state, bridge under /tmp; nothing system-wide is
# started or left). Prints a Markdown table with p50 per step and the berth/containerd ratio.
#
# Usage (as root): deploy/bench/compare.sh [pull] [pod] [container] [floor] [cnifloor] [exec] [portforward]
#                  [pidmodes] [burst] [overhead] [repull] [statusloop] [all] [--out FILE]
#                  [--iterations N] [--warmup N] [--pulls N] [--runtimes containerd,berth] [--logs DIR]
#                  [--network builtin|chain] [--berth-log-level LEVEL]
# --network builtin (default): berth on its built-in bridge, containerd on its CNI bridge conflist.
# --network chain: both on the same standard CNI conflist (bridge + host-local + portmap from /usr/lib/cni), each on
#   its own bridge and subnet; adds cnifloor, which times the plugins' own ADD/DEL (and loopback, which containerd
#   runs) bare into a fresh netns, so the report shows RunPodSandbox/StopPodSandbox above that floor and the goals.
# --berth-log-level debug makes berth log each CNI plugin run's time (with --logs DIR to keep the log).
# Run it inside `flock /tmp/berth-bench.lock` when other benchmarks may run on the machine.
# BERTH_REBUILD=1 rebuilds build/berth.jar first (otherwise it is built only when missing);
# BENCH_MVN_FLAGS passes extra flags to Maven (e.g. -o).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
if [ "$(id -u)" != 0 ]; then
  echo "compare.sh: run as root (it starts containerd and runc, mounts overlays, creates bridges)" >&2
  exit 1
fi
missing=()
for f in /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/sbin/runc /usr/bin/catatonit \
         /usr/bin/docker-registry /bin/busybox /usr/lib/cni/bridge /usr/lib/cni/host-local \
         /usr/lib/cni/loopback /usr/lib/cni/portmap; do
  [ -x "$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "compare.sh: missing ${missing[*]}" >&2
  echo "  apt-get install containerd runc catatonit docker-registry busybox-static containernetworking-plugins" >&2
  exit 1
fi
# shellcheck disable=SC2086
mvn -B -q ${BENCH_MVN_FLAGS:-} -DskipTests -pl bench -am package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
if [ "${BERTH_REBUILD:-0}" = 1 ] || [ ! -r build/berth.jar ]; then
  deploy/build.sh ${BENCH_MVN_FLAGS:-}
fi
cp="$root/bench/target/classes:$(cat bench/target/classpath.txt)"
# VFORK: the runc floor is timed through this JVM's process spawning, as berth's launcher spawns runc.
# grpc-java sets SO_KEEPALIVE, which Netty's epoll unix-socket channel ignores with a warning: hide it.
exec java -XX:+UseSerialGC -Xmx512m -Djdk.lang.Process.launchMechanism=VFORK \
  -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS \
  -Dorg.slf4j.simpleLogger.logFile=System.err -Dorg.slf4j.simpleLogger.log.io.netty.bootstrap.Bootstrap=error \
  -cp "$cp" dev.berth.bench.CompareMain --repo "$root" "$@"
