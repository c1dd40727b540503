#!/usr/bin/env bash
# Makes the class-data archive for one launcher location: a training run of that launcher's `serve` on throw-away
# directories. The JVM accepts an archive only for the jar path (and jar file) it was made with, so every copy of
# the jar (the build tree's, the installed one) needs its own, made where it lives.
# Usage: deploy/cds-archive.sh LAUNCHER ARCHIVE   (ARCHIVE must be the launcher's jar path with .jsa)
set -euo pipefail
launcher=$1
archive=$2
train=$(mktemp -d /tmp/berth-cds-XXXXXX)
bridge=bcds$$
# The daemon creates its bridge and nftables table at start and keeps them (as on a node); the training run
# removes its own.
trap 'ip link del "$bridge" 2>/dev/null; nft delete table inet "berth_$bridge" 2>/dev/null; rm -rf "$train"' EXIT
cat > "$train/config.toml" <<TOML
[server]
socket = "$train/berth.sock"
[storage]
root = "$train/root"
state = "$train/state"
[metrics]
address = "127.0.0.1:0"
[network]
bridge = "$bridge"
subnet = "10.232.$(( $$ % 256 )).0/24"
conf_dir = "$train/cni"
TOML
# An archive left from an earlier jar would be loaded by the training run itself.
rm -f "$archive"
BERTH_JAVA_OPTS="-XX:ArchiveClassesAtExit=$archive -Xlog:cds=off -Xlog:cds+dynamic=off" \
  "$launcher" serve --config "$train/config.toml" 2>"$train/log" &
pid=$!
for _ in $(seq 1 100); do
  [ -S "$train/berth.sock" ] && break
  sleep 0.1
done
"$launcher" check --config "$train/config.toml" >/dev/null 2>&1 || true
kill -TERM "$pid"
wait "$pid" || { cat "$train/log" >&2; exit 1; }
[ -r "$archive" ] || { echo "cds-archive: the training run wrote no $archive" >&2; exit 1; }
