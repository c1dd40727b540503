#!/usr/bin/env bash
# On a fresh node: installs what berth needs, builds it and runs it in the foreground on its embedded defaults
# (socket /run/berth/berth.sock, state /var/lib/berth and /run/berth, built-in bridge network).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh --build
deploy/build.sh
exec bin/berth serve "$@"
