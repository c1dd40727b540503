#!/usr/bin/env bash
# Installs the launcher and the jar into LIBDIR and makes the class-data archive there, for that jar path (an
# archive copied from the build tree names build/berth.jar and the JVM would silently ignore it), then checks that
# the installed launcher uses it.
# Usage: deploy/install-files.sh LIBDIR   (after deploy/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
lib=$1
[ -r build/berth.jar ] || { echo "install-files: build/berth.jar missing; run deploy/build.sh" >&2; exit 1; }
install -d "$lib"
install -m 0644 build/berth.jar "$lib/berth.jar"
install -m 0755 bin/berth "$lib/berth-launcher"
deploy/cds-archive.sh "$lib/berth-launcher" "$lib/berth.jsa"
chmod 0644 "$lib/berth.jsa"
deploy/cds-check.sh "$lib/berth-launcher"
