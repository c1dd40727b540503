#!/usr/bin/env bash
# Writes the OCI config.json that containerd 1.6 and berth produce for the same CRI requests (a plain container and
# a privileged one, in a privileged pod) into DIR (default build/oci-spec): containerd-plain.json,
# containerd-privileged.json, berth-plain.json, berth-privileged.json. docs/oci-spec.md compares them.
# Each runtime is a private instance, started and removed by the bench code (see compare.sh).
#
# Usage (as root): deploy/bench/oci-spec.sh [DIR]     BENCH_MVN_FLAGS passes extra flags to Maven (e.g. -o).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out=${1:-build/oci-spec}
if [ "$(id -u)" != 0 ]; then
  echo "oci-spec.sh: run as root (it starts containerd and berth)" >&2
  exit 1
fi
# shellcheck disable=SC2086
mvn -B -q ${BENCH_MVN_FLAGS:-} -DskipTests -pl bench -am package
if [ "${BERTH_REBUILD:-0}" = 1 ] || [ ! -r build/berth.jar ]; then
  deploy/build.sh ${BENCH_MVN_FLAGS:-}
fi
# berth's fat jar carries every library the bench code uses (gRPC, Netty, Jackson, commons-compress, zstd, SLF4J),
# so no dependency resolution is needed (works offline).
cp="$root/bench/target/classes:$root/test-support/target/classes:$root/build/berth.jar"
java -XX:+UseSerialGC -Xmx256m -Dorg.slf4j.simpleLogger.logFile=System.err \
  -Dorg.slf4j.simpleLogger.log.io.netty.bootstrap.Bootstrap=error \
  -cp "$cp" dev.berth.bench.SpecDumpMain --repo "$root" --out "$out"
# Sorted keys, so that a plain diff lines the two runtimes' fields up.
for f in "$out"/*.json; do
  python3 -m json.tool --sort-keys "$f" > "$f.sorted" && mv "$f.sorted" "$f"
done
echo "written: $(ls "$out")"
