#!/usr/bin/env bash
# Installs the Debian packages berth needs on a node (and, with --test, what its test suite needs).
# Safe to run twice: apt-get skips what is already installed.
set -euo pipefail
runtime_pkgs=(runc crun conmon catatonit util-linux iproute2 nftables iptables libnss3)
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
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# docker-registry and containerd ship services that would start on install; berth's tests start their own copies
# on loopback only, so keep the packaged services from starting.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.berth
chmod +x /usr/sbin/policy-rc.d.berth
if [ ! -e /usr/sbin/policy-rc.d ]; then cp /usr/sbin/policy-rc.d.berth /usr/sbin/policy-rc.d; added_policy=1; fi
apt-get install -y -qq --no-install-recommends "${missing[@]}"
[ "${added_policy:-0}" = 1 ] && rm -f /usr/sbin/policy-rc.d
rm -f /usr/sbin/policy-rc.d.berth
echo "install-deps: installed ${missing[*]}"
