#!/usr/bin/env bash
# The main job on a fresh machine, on the bundled sample kit: set up, verify the
# kit offline, import it into a registry, install it into an install root (plan,
# backup, migration, health check), export and re-check the evidence bundle, and
# show that a tampered copy is refused. Everything is written under one
# temporary folder, removed at the end (AIRLOCK_DEMO_KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
kit=samples/hello-1.0.0.kit.tar.gz
key=samples/keys/demo-publisher.pub.pem
work="$(mktemp -d "${TMPDIR:-/tmp}/airlock-demo.XXXXXX")"
if [ "${AIRLOCK_DEMO_KEEP:-}" = 1 ]; then echo "(keeping $work)"; else trap 'rm -rf "$work"' EXIT; fi
airlock() { node bin/airlock.js "$@" --data-dir "$work/data"; }
step() { printf '\n== airlock %s\n' "$*"; }

step kit verify "$kit" --key "$key"
airlock kit verify "$kit" --key "$key"

step kit import "$kit" --key "$key"
airlock kit import "$kit" --key "$key"

step install hello@1.0.0 --root "$work/root" --yes
airlock install hello@1.0.0 --root "$work/root" --yes

step status --root "$work/root"
airlock status --root "$work/root"

step evidence export --out "$work/evidence"
airlock evidence export --out "$work/evidence"

step evidence verify "$work/evidence"
airlock evidence verify "$work/evidence"

step audit verify
airlock audit verify

printf '\n== the same kit with one payload file changed after signing (expected to be refused)\n'
mkdir "$work/tampered"
tar -xzf "$kit" -C "$work/tampered"
printf 'tampered\n' >> "$work/tampered/payload/share/README"
set +e
airlock kit verify "$work/tampered" --key "$key"
status=$?
set -e
echo "(exit status $status: 1 means the kit was checked and refused)"
[ "$status" = 1 ]
echo
echo "Demo complete: the evidence report was $work/evidence/report.pdf"
