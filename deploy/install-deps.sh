#!/usr/bin/env bash
# Installs the Debian packages berth needs on a node (and, with --test, what its test suite needs).
# Safe to run twice: apt-get skips what is already installed.
set -euo pipefail
runtime_pkgs=(runc crun conmon catatonit util-linux iproute2 nftables iptables libnss3 socat)
build_pkgs=(openjdk-17-jdk-headless maven)
test_pkgs=(docker-registry busybox-static containerd containernetworking-plugins jq openssl)
want=("${runtime_pkgs[@]}")
for arg in "$@"; do
  case "$arg" in
    --build) want+=("${build_pkgs[@]}") ;;
    --test) want+=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
    *) echo "usage: $0 [--build] [--test]" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root to install them (apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt or dpkg (unattended-upgrades, a provisioning run) instead of failing at once.
apt_opts=(-o DPkg::Lock::Timeout=600)
apt-get "${apt_opts[@]}" update -qq
# docker-registry and containerd ship services that would start on install; berth's tests start their own copies
# on loopback only, so keep the packaged services from starting. The blocker must never outlive this script: a
# policy-rc.d left behind stops every later service start on the host, so it goes on any exit, failed or
# interrupted, and only if this script put it there.
# BERTH_POLICY_RC: where the blocker goes (its test points it into a scratch directory).
policy=${BERTH_POLICY_RC:-/usr/sbin/policy-rc.d}
added_policy=0
remove_policy() {
  if [ "$added_policy" = 1 ]; then rm -f "$policy"; fi
}
trap remove_policy EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# written by berth install-deps.sh while it runs\nexit 101\n' > "$policy"
  chmod +x "$policy"
  added_policy=1
fi
apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
