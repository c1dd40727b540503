#!/usr/bin/env bash
# Installs what the test suite needs and runs all of it (as root: tests use real runc, conmon, overlayfs,
# network namespaces and a local registry on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh --test
# Image layers carry non-ASCII file names; the JVM needs a UTF-8 locale to map them.
export LANG=C.UTF-8 LC_ALL=C.UTF-8
mvn -B install "$@"
