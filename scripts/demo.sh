#!/usr/bin/env bash
# The main job on a fresh machine: set up, then verify the bundled sample kit
# offline, then show that a damaged copy of it is refused with its error code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
kit=samples/hello-1.0.0.kit.tar.gz
key=samples/keys/demo-publisher.pub.pem

echo "== airlock kit verify $kit --key $key"
node bin/airlock.js kit verify "$kit" --key "$key"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo
echo "== the same kit with one payload file changed after signing (expected to be refused)"
mkdir "$work/kit"
tar -xzf "$kit" -C "$work/kit"
printf 'tampered\n' >> "$work/kit/payload/share/README"
set +e
node bin/airlock.js kit verify "$work/kit" --key "$key"
status=$?
set -e
echo "(exit status $status: 1 means the kit was checked and refused)"
[ "$status" = 1 ]
