// Two imports into one registry from two processes: the second fails at once
// with REGISTRY_LOCKED naming the first, or waits with --wait and then
// finds the kit imported; a read-only command meanwhile neither blocks nor
// disturbs the running import.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Registry } from '../../../electron/core/registry/registry.ts';
import { buildTestKit, makeKitEnv, seededBytes, type KitEnv } from './registry-kit-fixtures.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const CHILD = path.join(here, 'import-child.ts');

interface Done { code: number | null; stdout: string; stderr: string }

function start(args: string[]): { child: ChildProcessWithoutNullStreams; done: Promise<Done>; stderrSoFar: () => string } {
  const child = spawn(process.execPath, args, { cwd: repo });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<Done>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done, stderrSoFar: () => stderr };
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let tmp: string;
let env: KitEnv;
let kit: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-race-'));
  env = await makeKitEnv(tmp);
  kit = await buildTestKit(env, { name: 'raced', files: { 'payload/a.bin': seededBytes('a', 500_000), 'payload/b.bin': seededBytes('b', 500_000) } });
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('lets one import run, refuses or queues the other, and ends consistent', async () => {
  const dataDir = path.join(tmp, 'data');
  // The first import stops after writing its first payload blob for a few seconds, holding the lock.
  const first = start([CHILD, JSON.stringify({ dataDir, kit, publicKey: env.publicPath, holdAt: { point: 'between-blobs', ms: 4000 } })]);
  await until('the first import to hold the lock', () => first.stderrSoFar().includes('HOLDING'));
  const ingestDuringHold = fs.readdirSync(path.join(dataDir, 'registry', 'ingest'));

  // A second import without --wait fails at once, naming the holder.
  const second = start([CHILD, JSON.stringify({ dataDir, kit, publicKey: env.publicPath, waitSeconds: 0 })]);
  const refused = await second.done;
  expect(refused.code).toBe(1);
  const payload = JSON.parse(refused.stdout) as { ok: false; error: { code: string; message: string; details: { holder: { pid: number } } } };
  expect(payload.error.code).toBe('REGISTRY_LOCKED');
  expect(payload.error.message).toContain('"import-child"');
  expect(payload.error.details.holder.pid).toBe(first.child.pid);

  // A read-only command meanwhile works, shows nothing half-imported and does not clean the running import's ingest files.
  const list = start([path.join(repo, 'bin/airlock.js'), 'kit', 'list', '--json', '--data-dir', dataDir]);
  const listed = await list.done;
  expect(listed.code, listed.stderr).toBe(0);
  expect(JSON.parse(listed.stdout)).toMatchObject({ ok: true, releases: [] });
  expect(fs.readdirSync(path.join(dataDir, 'registry', 'ingest'))).toEqual(expect.arrayContaining(ingestDuringHold));

  // A third, through the CLI with --wait, queues behind the first and then finds the kit imported.
  const third = start([path.join(repo, 'bin/airlock.js'), 'kit', 'import', kit, '--key', env.publicPath, '--wait', '60', '--json', '--data-dir', dataDir]);
  const firstDone = await first.done;
  expect(firstDone.code, firstDone.stdout + firstDone.stderr).toBe(0);
  expect(JSON.parse(firstDone.stdout)).toMatchObject({ ok: true, result: { status: 'imported' } });
  const queued = await third.done;
  expect(queued.code, queued.stdout + queued.stderr).toBe(0);
  expect(JSON.parse(queued.stdout)).toMatchObject({ ok: true, import: { status: 'unchanged' } });

  const registry = await Registry.open(dataDir);
  try {
    expect(registry.list().map((r) => `${r.name}@${r.version}`)).toEqual(['raced@1.0.0']);
    expect(await registry.check({ deep: true })).toMatchObject({ ok: true });
    expect(registry.catalog.operations('import').map((o) => o.status)).toEqual(['succeeded']);
    expect(fs.existsSync(registry.lockFile)).toBe(false);
  } finally {
    registry.close();
  }
}, 90_000);
