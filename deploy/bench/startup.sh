#!/usr/bin/env bash
# Measures berth's start-to-serving time (launcher exec until the CRI socket accepts connections) and its idle RSS,
# median of N runs, with the launcher's flags and the build's class-data archive.
# Usage: deploy/bench/startup.sh [runs]   (after deploy/build.sh; BERTH_LAUNCHER=/usr/local/lib/berth/berth-launcher
# measures an installed copy instead of bin/berth)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
work=$(mktemp -d /tmp/berth-startup-XXXXXX)
bridge=bst$$
# The daemon creates its bridge and nftables table at start and keeps them (as on a node); this run removes its own.
trap 'ip link del "$bridge" 2>/dev/null; nft delete table inet "berth_$bridge" 2>/dev/null; rm -rf "$work"' EXIT
cat > "$work/config.toml" <<TOML
[server]
socket = "$work/berth.sock"
[storage]
root = "$work/root"
state = "$work/state"
[metrics]
address = ""
[network]
bridge = "$bridge"
subnet = "10.231.$(( $$ % 256 )).0/24"
conf_dir = "$work/cni"
TOML
# The poll must cost next to nothing, or it both coarsens the measurement and takes CPU from the daemon it times: an
# interpreter per poll costs tens of ms here (~500 ms through a version manager's python3 shim). The socket file
# appears when the server binds (a shell test, no process); one small connect then confirms that it accepts.
accepts() { [ -S "$1" ] && socat -u OPEN:/dev/null UNIX-CONNECT:"$1" 2>/dev/null; }
starts=(); rss=()
for _ in $(seq 1 "$runs"); do
  t0=$(date +%s%N)
  "${BERTH_LAUNCHER:-bin/berth}" serve --config "$work/config.toml" 2>>"$work/log" &
  pid=$!
  until accepts "$work/berth.sock"; do sleep 0.005; done
  t1=$(date +%s%N)
  starts+=($(( (t1 - t0) / 1000000 )))
  sleep 5
  rss+=($(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status))
  kill -TERM "$pid"; wait "$pid"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "start-to-serving ms: ${starts[*]} (median $(median "${starts[@]}"))"
echo "idle RSS MiB after 5 s: ${rss[*]} (median $(median "${rss[@]}"))"
