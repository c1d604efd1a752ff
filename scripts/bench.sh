#!/usr/bin/env bash
# `npm run bench`: see test/bench/run-bench.ts. Results: artifacts/bench/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
node test/bench/run-bench.ts "$@"
