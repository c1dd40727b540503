#!/usr/bin/env bash
# Checks (after deploy/build.sh) that the class-data archive is really used: by the build tree's launcher, and by a
# copy installed the way deploy/install.sh installs it (into a throw-away directory here). It also checks that the
# check can fail: the build tree's archive copied next to an installed jar is refused by the JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -r build/berth.jar ] && [ -r build/berth.jsa ] || { echo "test-cds: run deploy/build.sh first" >&2; exit 1; }
lib=$(mktemp -d /tmp/berth-cds-test-XXXXXX)
trap 'rm -rf "$lib"' EXIT
deploy/cds-check.sh bin/berth
mkdir "$lib/copied"
install -m 0644 build/berth.jar build/berth.jsa "$lib/copied/"
install -m 0755 bin/berth "$lib/copied/berth-launcher"
if deploy/cds-check.sh "$lib/copied/berth-launcher" 2>/dev/null; then
  echo "test-cds: FAILED: an archive made for build/berth.jar was accepted for another path" >&2
  exit 1
fi
deploy/install-files.sh "$lib/installed"
echo "test-cds: passed"
