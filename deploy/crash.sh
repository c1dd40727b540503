#!/usr/bin/env bash
# The long form of the kill -9 test: the same driver as CrashAnywhereTest in the test suite, with more kills.
#   deploy/crash.sh [kills] [seed]      defaults: 50 kills, a seed from the clock (printed; pass it to repeat a run)
# Each kill lands inside one of RunPodSandbox, CreateContainer, StartContainer, StopPodSandbox, RemoveContainer,
# RemovePodSandbox or PullImage (in turn, shuffled); after each restart the driver checks that nothing the client
# was told about is lost and nothing half-made is left on the host. Needs root and the test dependencies
# (deploy/install-deps.sh --test), as the test suite does. Ends with a line
#   crash: N kills (...), ...
# and fails on the first violation, naming the kill, the call and the delay.
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-50}
seed=${2:-$(date +%s)}
case "$kills" in ''|*[!0-9]*) echo "usage: $0 [kills] [seed]" >&2; exit 2 ;; esac
case "$seed" in ''|*[!0-9-]*) echo "usage: $0 [kills] [seed]" >&2; exit 2 ;; esac
export LANG=C.UTF-8 LC_ALL=C.UTF-8
log=$(mktemp /tmp/berth-crash.XXXXXX.log)
echo "crash: ${kills} kills, seed ${seed}, log ${log}"
status=0
mvn -B -o -q -pl cri-server -am test -Dtest='CrashAnywhereTest' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dberth.crash.kills="${kills}" -Dberth.crash.seed="${seed}" >"${log}" 2>&1 || status=$?
grep -h '^crash' cri-server/target/surefire-reports/dev.berth.cri.crash.CrashAnywhereTest-output.txt 2>/dev/null || true
grep -h -A3 'AssertionError\|Tests run:' cri-server/target/surefire-reports/dev.berth.cri.crash.CrashAnywhereTest.txt \
    2>/dev/null | head -20 || true
exit "${status}"
