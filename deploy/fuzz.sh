#!/usr/bin/env bash
# The long form of the CRI fuzz test: the same harness as CriFuzzTest in the test suite, run for longer.
#   deploy/fuzz.sh [minutes] [seed]      defaults: 30 minutes, a seed from the clock (printed; pass it to repeat a run)
# Needs root and the test dependencies (deploy/install-deps.sh --test), as the test suite does. Ends with a line
#   fuzz: N cases, M rejected, K accepted, F findings, seed S
# and fails when F is not 0; each finding is printed as "fuzz finding: case ... after [mutations]".
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
seed=${2:-$(date +%s%N)}
case "$minutes" in ''|*[!0-9]*) echo "usage: $0 [minutes] [seed]" >&2; exit 2 ;; esac
case "$seed" in ''|*[!0-9-]*) echo "usage: $0 [minutes] [seed]" >&2; exit 2 ;; esac
# Image layers carry non-ASCII file names; the JVM needs a UTF-8 locale to map them.
export LANG=C.UTF-8 LC_ALL=C.UTF-8
log=$(mktemp /tmp/berth-fuzz.XXXXXX.log)
echo "fuzz: ${minutes} min, seed ${seed}, log ${log}"
status=0
mvn -B -o -q -pl cri-server -am test -Dtest='CriFuzzTest,WireFuzzTest,FuzzRegressionTest' \
    -Dsurefire.failIfNoSpecifiedTests=false \
    -Dberth.fuzz.seconds=$((minutes * 60)) -Dberth.fuzz.seed="${seed}" >"${log}" 2>&1 || status=$?
grep -h '^fuzz' cri-server/target/surefire-reports/dev.berth.cri.fuzz.CriFuzzTest-output.txt "${log}" 2>/dev/null \
    | sort -u || true
grep -h 'Tests run:' cri-server/target/surefire-reports/dev.berth.cri.fuzz.*.txt || true
exit "${status}"
