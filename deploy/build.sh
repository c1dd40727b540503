#!/usr/bin/env bash
# Builds build/berth.jar (tests skipped; deploy/test.sh runs them) and its class-data archive build/berth.jsa.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package "$@"
deploy/cds-archive.sh bin/berth build/berth.jsa
echo "built build/berth.jar and build/berth.jsa"
