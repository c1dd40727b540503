#!/usr/bin/env bash
# The long form of the soak test: the same workers as SoakTest in the test suite, more of them, for longer.
#   deploy/soak.sh [workers] [minutes]      defaults: 4 workers, 10 minutes
# The first half churns pods on the built-in network (with host ports), the second on Debian's CNI plugins
# (bridge + host-local + portmap). After each half it checks for leaked mounts, pins, veths, nftables/iptables rules,
# IPAM files, cgroups, processes, zombies, descriptors and state files, and berth's RSS against the warm-up.
# Needs root and the test dependencies (deploy/install-deps.sh --test). Prints pods/s and latency percentiles.
set -euo pipefail
cd "$(dirname "$0")/.."
workers=${1:-4}
minutes=${2:-10}
case "$workers$minutes" in ''|*[!0-9]*) echo "usage: $0 [workers] [minutes]" >&2; exit 2 ;; esac
export LANG=C.UTF-8 LC_ALL=C.UTF-8
log=$(mktemp /tmp/berth-soak.XXXXXX.log)
echo "soak: ${workers} workers, ${minutes} min, log ${log}"
status=0
mvn -B -o -q -pl cri-server -am test -Dtest='SoakTest' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dberth.soak.workers="${workers}" -Dberth.soak.seconds=$((minutes * 60)) >"${log}" 2>&1 || status=$?
grep -h '^soak' cri-server/target/surefire-reports/dev.berth.cri.soak.SoakTest-output.txt 2>/dev/null || true
grep -h -A3 'Error\|Tests run:' cri-server/target/surefire-reports/dev.berth.cri.soak.SoakTest.txt 2>/dev/null \
    | head -20 || true
exit "${status}"
