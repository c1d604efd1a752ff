// `npm start`: the desktop app where the Electron binary is installed, and
// console mode where it is not. The Electron npm package fetches its binary
// from outside the npm registry at install time; on machines that cannot
// reach it (or set ELECTRON_SKIP_BINARY_DOWNLOAD) only the package and its
// types are present. Requiring 'electron' would then try to download it, so
// the binary is looked up on disk instead.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Electron executable of node_modules/electron, or null when its binary was never installed. */
export function findElectronBinary(repoRoot: string = root, env: NodeJS.ProcessEnv = process.env): string | null {
  const pkg = path.join(repoRoot, 'node_modules', 'electron');
  let relative: string;
  try {
    relative = fs.readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim();
  } catch {
    return null;
  }
  const binary = env.ELECTRON_OVERRIDE_DIST_PATH ? path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative) : path.join(pkg, 'dist', relative);
  return fs.existsSync(binary) ? binary : null;
}

function npm(script: string): void {
  const result = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

async function main(args: string[]): Promise<void> {
  const binary = findElectronBinary();
  if (binary) {
    npm('build:electron');
    const { ELECTRON_RUN_AS_NODE: _ignored, ...env } = process.env;
    const child = spawn(binary, [path.join(root, 'dist', 'electron', 'main.js'), ...args], { cwd: root, stdio: 'inherit', env });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  process.stderr.write(
    [
      'The Electron binary is not installed in node_modules/electron (it comes from outside the npm registry),',
      'so the desktop window cannot open here. Starting console mode instead: the same screens in a browser.',
      'Open the link printed below. For the desktop app, install an Airlock package, or run "npm rebuild electron" on a machine that can download the binary.',
      '',
    ].join('\n'),
  );
  const { main: cli } = await import('./cli/main.ts');
  process.exitCode = await cli(['serve', ...args]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
