#!/usr/bin/env bash
# Runs every check: types (node and web programs), lint with the layering rules,
# then the unit and integration tests and the end-to-end tests in Chromium. Works on a fresh machine: setup first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
echo "== typecheck"
npx tsc -p tsconfig.node.json
npx tsc -p tsconfig.web.json
echo "== lint"
npx eslint --max-warnings=0 .
echo "== unit and integration tests"
npx vitest run "$@"
echo "== end-to-end tests (console mode in Chromium; builds the renderer first)"
npx vitest run --config vitest.e2e.config.ts
