// Crash safety (DESIGN §2 rule 6): an import is SIGKILLed at each of its
// named points; a fresh process must then find the registry consistent (every
// catalogued blob present with the right digest, no half-visible release,
// ingest/ empty, no import left 'running'), and importing again completes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../../electron/core/registry/registry.ts';
import { CRASH_POINTS, type CrashPoint } from '../../../electron/core/registry/store-fs.ts';
import { SPDX_DOC, buildTestKit, makeKitEnv, seededBytes, type KitEnv } from './registry-kit-fixtures.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const CHILD = path.join(here, 'import-child.ts');

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

let tmp: string;
let env: KitEnv;
let kit: string;
let fileCount: number;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-crash-'));
  env = await makeKitEnv(tmp);
  kit = await buildTestKit(env, {
    name: 'crashy',
    files: {
      // Sorts right after the root files: the 4th blob written, 2 MiB, so "ingest-written" #4 is mid-file.
      'aaa/big.bin': seededBytes('big', 2 * 1024 * 1024 + 4096),
      ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`payload/f${i}.txt`, `file ${i}\n`.repeat(50 + i)])),
    },
    image: { ref: 'registry.example/crashy/app:1.0.0' },
    sboms: [{ path: 'sbom/crashy.spdx.json', format: 'spdx-json', doc: SPDX_DOC([{ name: 'zlib', version: '1.3', license: 'Zlib' }]) }],
  });
  fileCount = 0;
}, 60_000);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const childArgs = (dataDir: string, extra: Record<string, unknown> = {}): string[] =>
  [CHILD, JSON.stringify({ dataDir, kit, publicKey: env.publicPath, ...extra })];

/** "Run any command" in a fresh process: kit list, which also performs the start-up recovery. */
async function listInFreshProcess(dataDir: string): Promise<Array<{ name: string; version: string }>> {
  const list = await run([path.join(repo, 'bin/airlock.js'), 'kit', 'list', '--json', '--data-dir', dataDir]);
  expect(list.code, list.stderr).toBe(0);
  return (JSON.parse(list.stdout) as { releases: Array<{ name: string; version: string }> }).releases;
}

async function assertConsistent(registry: Registry): Promise<void> {
  const report = await registry.check({ deep: true });
  expect(report.problems).toEqual([]);
  expect(fs.readdirSync(registry.store.ingestDir)).toEqual([]);
  const ops = registry.catalog.operations('import');
  expect(ops.filter((o) => o.status === 'running')).toEqual([]);
  for (const r of registry.list()) {
    const detail = registry.show(r.name, r.version);
    // Never half visible: a listed release has every file, image and SBOM row.
    expect(detail.files).toHaveLength(fileCount);
    expect(detail.images).toHaveLength(1);
    expect(detail.packages).toHaveLength(1);
    expect(ops.find((o) => o.id === r.importOperationId)?.status).toBe('succeeded');
  }
}

describe('SIGKILL during import', () => {
  it('passes every crash point in a normal import (so each kill below is real)', async () => {
    const dataDir = path.join(tmp, 'trace');
    const r = await run(childArgs(dataDir));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; result: { status: string }; points: Record<string, number> };
    expect(out.result.status).toBe('imported');
    for (const p of CRASH_POINTS) expect(out.points[p], p).toBeGreaterThanOrEqual(1);
    expect(out.points['ingest-written']).toBeGreaterThanOrEqual(4);
    expect(out.points['between-blobs']).toBeGreaterThanOrEqual(6);
    const registry = await Registry.open(dataDir);
    fileCount = registry.show('crashy', '1.0.0').files.length;
    registry.close();
    expect(fileCount).toBeGreaterThan(10);
  });

  const cases: Array<{ point: CrashPoint; nth: number }> = [
    ...CRASH_POINTS.map((point) => ({ point, nth: 1 })),
    { point: 'ingest-written', nth: 4 }, // mid-write of the 2 MiB file
    { point: 'blob-before-rename', nth: 5 },
    { point: 'between-blobs', nth: 6 },
  ];
  const committedAt = CRASH_POINTS.indexOf('catalog-committed');

  it(`leaves the registry consistent after a kill at each of ${cases.length} points, and importing again completes`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    const queue = [...cases];
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const label = `${c.point}#${c.nth}`;
        const dataDir = path.join(tmp, `kill-${c.point}-${c.nth}`);
        const killed = await run(childArgs(dataDir, { killAt: c }));
        expect(killed.signal, `${label}: ${killed.stdout}${killed.stderr}`).toBe('SIGKILL');
        const after = CRASH_POINTS.indexOf(c.point) >= committedAt;
        expect((await listInFreshProcess(dataDir)).length, label).toBe(after ? 1 : 0);
        const registry = await Registry.open(dataDir);
        try {
          await assertConsistent(registry);
          const again = await registry.import(kit, { signature: env.signature });
          expect(again.status, label).toBe(after ? 'unchanged' : 'imported');
          expect(registry.list()).toHaveLength(1);
          await assertConsistent(registry);
        } finally {
          registry.close();
        }
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    };
    await Promise.all([worker(), worker(), worker()]);
  }, 240_000);
});
