import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main.ts';
import { createServeCommand } from '../../../electron/cli/commands/serve.ts';
import type { CommandContext, OptionValues } from '../../../electron/cli/cli-types.ts';

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-serve-'));
  await fs.mkdir(path.join(dir, 'renderer'));
  await fs.writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Airlock</title>');
  await fs.mkdir(path.join(dir, 'kits'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function context(options: OptionValues, json: boolean): { ctx: CommandContext; stdout: () => string; stop: () => void } {
  let out = '';
  const abort = new AbortController();
  const ctx: CommandContext = {
    options,
    positionals: [],
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true }, stderrIsTTY: false, env: {}, cwd: dir },
    json,
    dataDir: path.join(dir, 'data'),
    progress: () => {},
    signal: abort.signal,
    resolvePath: (p) => path.resolve(dir, p),
  };
  return { ctx, stdout: () => out, stop: () => abort.abort() };
}

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

describe('airlock serve', () => {
  it('prints the one-time link, data folder and kit folders, serves until stopped, then closes', async () => {
    const command = createServeCommand({ services: { rendererDir: path.join(dir, 'renderer') } });
    const { ctx, stdout, stop } = context({ kits: ['kits'] }, false);
    const running = command.run(ctx);
    await waitFor(() => stdout().includes('Press Ctrl+C'));
    const url = /Open:\s+(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(stdout())![1]!;
    expect(stdout()).toContain(path.join(dir, 'data', 'incoming'));
    expect(stdout()).toContain(path.join(dir, 'kits'));
    expect(stdout()).toContain(path.join(dir, 'data', 'trust-policy.json'));
    expect(stdout()).toMatch(/Install root: none \(start with --root DIR/);
    const signIn = await fetch(url, { redirect: 'manual' });
    expect(signIn.status).toBe(303);
    stop();
    expect(await running).toMatchObject({ json: { stopped: true } });
    await expect(fetch(url)).rejects.toThrow();
  });

  it('prints one JSON line with the link for scripts', async () => {
    const command = createServeCommand({ services: { rendererDir: path.join(dir, 'renderer') } });
    const { ctx, stdout, stop } = context({ policy: 'policy.json', root: 'srv/app' }, true);
    const running = command.run(ctx);
    await waitFor(() => stdout().includes('\n'));
    const doc = JSON.parse(stdout().split('\n')[0]!) as Record<string, unknown>;
    expect(doc).toMatchObject({ listening: true, policyPath: path.join(dir, 'policy.json'), installRoot: path.join(dir, 'srv', 'app') });
    expect(String(doc.url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    stop();
    await running;
  });

  it('rejects a bad port as a usage error (exit 2)', async () => {
    let err = '';
    const code = await main(['serve', '--port', '70000'], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (err += s) },
      stderrIsTTY: false,
      env: {},
      cwd: dir,
    });
    expect(code).toBe(2);
    expect(err).toContain('--port');
  });
});
