#!/usr/bin/env bash
# Makes sure a Node >= 22.12 is on PATH for the project's scripts.
# The build machines ship Node 20; Node 24 comes from the npm registry as the
# package node-linux-<arch> (it holds bin/node), so nothing outside the npm
# registry is needed. Source this file (". build/toolchain/ensure-node.sh") so
# the PATH change reaches the caller; it is a no-op when the system Node is new
# enough.
AIRLOCK_NODE_VERSION="${AIRLOCK_NODE_VERSION:-24.21.0}"
_airlock_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_airlock_tc="$_airlock_root/.toolchain/node-$AIRLOCK_NODE_VERSION"

_airlock_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)'
}

if ! _airlock_node_ok; then
  if [ ! -x "$_airlock_tc/bin/node" ]; then
    case "$(uname -m)" in
      x86_64) _airlock_arch=x64 ;;
      aarch64|arm64) _airlock_arch=arm64 ;;
      *) echo "ensure-node: unsupported machine $(uname -m)" >&2; return 1 2>/dev/null || exit 1 ;;
    esac
    echo "ensure-node: system Node is older than 22.12; fetching node-linux-$_airlock_arch@$AIRLOCK_NODE_VERSION from the npm registry" >&2
    _airlock_tmp="$(mktemp -d)"
    ( cd "$_airlock_tmp" && npm pack --silent "node-linux-$_airlock_arch@$AIRLOCK_NODE_VERSION" >/dev/null ) || { echo "ensure-node: npm pack failed" >&2; return 1 2>/dev/null || exit 1; }
    mkdir -p "$_airlock_tc.partial"
    tar -xzf "$_airlock_tmp"/node-linux-*.tgz -C "$_airlock_tc.partial" --strip-components=1
    rm -rf "$_airlock_tmp" "$_airlock_tc"
    mv "$_airlock_tc.partial" "$_airlock_tc"
  fi
  export PATH="$_airlock_tc/bin:$PATH"
fi
unset -f _airlock_node_ok
