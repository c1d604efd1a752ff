#!/usr/bin/env bash
# Idempotent setup for a fresh machine: system tools the tests use (Debian
# packages), the Node >= 22.12 toolchain (from the npm registry when the system
# Node is older), and the project's npm dependencies. Source it to keep PATH.
set -euo pipefail
_setup_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages: openssl/zstd/tar/coreutils for the kit tests, chromium for the
# renderer e2e tests, skopeo and docker-registry for OCI checks, poppler-utils
# for PDF checks.
_needed=()
command -v openssl >/dev/null || _needed+=(openssl)
command -v zstd >/dev/null || _needed+=(zstd)
command -v chromium >/dev/null || _needed+=(chromium)
command -v skopeo >/dev/null || _needed+=(skopeo)
command -v docker-registry >/dev/null || _needed+=(docker-registry)
command -v pdftotext >/dev/null || _needed+=(poppler-utils)
if [ "${#_needed[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${_needed[*]}" >&2
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${_needed[@]}" >/dev/null
  else
    echo "setup: please install these packages first: ${_needed[*]}" >&2
    exit 1
  fi
fi

# shellcheck source=../build/toolchain/ensure-node.sh
. "$_setup_root/build/toolchain/ensure-node.sh"

# The Electron npm package's install step downloads its binary from outside the
# registries; the CLI, console mode and tests never need it.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
cd "$_setup_root"
_stamp="node_modules/.airlock-lock-sha256"
_want="$(sha256sum package-lock.json | cut -d' ' -f1)-$(node --version)"
if [ ! -f "$_stamp" ] || [ "$(cat "$_stamp")" != "$_want" ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$_want" > "$_stamp"
fi
cd - >/dev/null
