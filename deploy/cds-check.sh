#!/usr/bin/env bash
# Checks that a launcher really runs berth from its class-data archive: with -Xshare:on the JVM refuses to start
# when an archive it was told to use cannot be mapped, and the class-loading log must show berth's own classes
# coming from the archive's top (dynamic) layer, not from the jar.
# Usage: deploy/cds-check.sh LAUNCHER
set -euo pipefail
launcher=$1
out=$(BERTH_JAVA_OPTS="-Xshare:on -Xlog:class+load=info" "$launcher" --help 2>&1) || {
  echo "cds-check: $launcher did not start with -Xshare:on:" >&2
  printf '%s\n' "$out" | grep -v '^\[' | head -5 >&2
  exit 1
}
from_archive=$(printf '%s\n' "$out" | grep -c '^\[.*\] dev\.berth\..* source: shared objects file (top)' || true)
from_jar=$(printf '%s\n' "$out" | grep -c '^\[.*\] dev\.berth\..* source: .*\.jar' || true)
if [ "$from_archive" -eq 0 ] || [ "$from_jar" -ne 0 ]; then
  echo "cds-check: $launcher loaded $from_archive berth classes from the archive and $from_jar from the jar" >&2
  exit 1
fi
echo "cds-check: $launcher: $from_archive berth classes from the archive, none from the jar"
