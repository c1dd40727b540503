#!/usr/bin/env bash
# Builds build/berth.jar (tests skipped; deploy/test.sh runs them) and its class-data archive build/berth.jsa.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package "$@"
# Training run for AppCDS: start the daemon on throw-away directories, let it serve, stop it.
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
rm -f build/berth.jsa
BERTH_JAVA_OPTS="-XX:ArchiveClassesAtExit=build/berth.jsa -Xlog:cds=off -Xlog:cds+dynamic=off" \
  bin/berth serve --config "$train/config.toml" 2>"$train/log" &
pid=$!
for _ in $(seq 1 100); do
  [ -S "$train/berth.sock" ] && break
  sleep 0.1
done
bin/berth check --config "$train/config.toml" >/dev/null 2>&1 || true
kill -TERM "$pid"
wait "$pid" || { cat "$train/log" >&2; exit 1; }
echo "built build/berth.jar and build/berth.jsa"
