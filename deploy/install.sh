#!/usr/bin/env bash
# Installs a built berth on this node: launcher, jar and archive, default config (never overwriting one that
# exists), systemd unit and crictl config. Run deploy/build.sh first. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
[ -r build/berth.jar ] || { echo "install: build/berth.jar missing; run deploy/build.sh" >&2; exit 1; }
install -d /usr/local/lib/berth /etc/berth /usr/local/share/doc/berth
deploy/install-files.sh /usr/local/lib/berth
ln -sf /usr/local/lib/berth/berth-launcher /usr/local/bin/berth
[ -e /etc/berth/config.toml ] || install -m 0644 deploy/config.toml /etc/berth/config.toml
[ -e /etc/crictl.yaml ] || install -m 0644 deploy/crictl.yaml /etc/crictl.yaml
install -m 0644 README.md /usr/local/share/doc/berth/README.md
if [ -d /run/systemd/system ]; then
  install -m 0644 deploy/berth.service /etc/systemd/system/berth.service
  systemctl daemon-reload
  echo "install: start with: systemctl enable --now berth"
else
  echo "install: no systemd here; run: berth serve"
fi
