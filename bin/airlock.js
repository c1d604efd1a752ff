#!/usr/bin/env node
// Entry point of the `airlock` command. Written in plain JavaScript that any
// Node can parse, so that on a machine whose system Node is older than 22.12
// it can hand over to the project's pinned Node 24 toolchain (fetched from the
// npm registry by build/toolchain/ensure-node.sh) instead of failing oddly.
import { spawnSync } from 'node:child_process';
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const [major, minor] = process.versions.node.split('.').map(Number);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (major > 22 || (major === 22 && minor >= 12)) {
  // Caches compiled code (in the OS temp folder) so repeated runs start in about
  // half the time; a missing or unwritable cache only costs speed.
  module.enableCompileCache?.();
  const { main } = await import(pathToFileURL(path.join(root, 'electron/cli/main.ts')).href);
  process.exitCode = await main(process.argv.slice(2));
} else {
  const script = '. "$0/build/toolchain/ensure-node.sh" >&2 && exec node "$0/bin/airlock.js" "$@"';
  const result = spawnSync('bash', ['-c', script, root, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.error) {
    process.stderr.write(`airlock: needs Node 22.12 or newer (this is ${process.versions.node}) and could not start the project toolchain: ${result.error.message}\n`);
    process.exitCode = 1;
  } else {
    process.exitCode = result.status ?? 1;
  }
}
