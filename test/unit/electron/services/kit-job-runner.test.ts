// Verify and import in a real worker thread: results, progress, errors as
// payloads, and cancel across the thread boundary.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../../shared/progress.ts';
import { WorkerKitJobRunner } from '../../../../electron/services/kit-job-runner.ts';
import { buildTestKit, makeKitEnv, seededBytes, type KitEnv } from '../../../integration/registry/registry-kit-fixtures.ts';

let dir: string;
let env: KitEnv;
let small: string;
let large: string;
const HELD_WORKER = new URL('../../../e2e/support/held-kit-worker.ts', import.meta.url);

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-jobs-'));
  env = await makeKitEnv(dir);
  small = await buildTestKit(env, { name: 'small', files: { 'payload/a.txt': 'hello\n' } });
  large = await buildTestKit(env, { name: 'large', files: { 'payload/blob.bin': seededBytes('large', 30 * 1024 * 1024) } });
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('WorkerKitJobRunner', () => {
  it('verifies a kit in a worker and reports progress', async () => {
    const progress: ProgressEvent[] = [];
    const outcome = await new WorkerKitJobRunner().run(
      { kind: 'verify', kitPath: small, trust: { keyFiles: [env.publicPath] } },
      { signal: new AbortController().signal, onProgress: (p) => progress.push(p) },
    );
    expect(outcome).toMatchObject({ kind: 'verify', verification: { name: 'small', version: '1.0.0' } });
    expect(progress.at(-1)).toMatchObject({ phase: 'verify', bytesDone: expect.any(Number) });
  });

  it('imports a kit into the data folder in a worker', async () => {
    const dataDir = path.join(dir, 'data');
    const outcome = await new WorkerKitJobRunner().run(
      { kind: 'import', kitPath: small, trust: { keyFiles: [env.publicPath] }, dataDir, command: 'test import' },
      { signal: new AbortController().signal, onProgress: () => {} },
    );
    expect(outcome).toMatchObject({ kind: 'import', result: { status: 'imported', release: { name: 'small' } } });
    await expect(fs.stat(path.join(dataDir, 'catalog.db'))).resolves.toBeTruthy();
  });

  it('brings the verifier’s error back with its code and path', async () => {
    const missing = path.join(dir, 'nope.kit.tar');
    await expect(
      new WorkerKitJobRunner().run({ kind: 'verify', kitPath: missing, trust: { keyFiles: [env.publicPath] } }, { signal: new AbortController().signal, onProgress: () => {} }),
    ).rejects.toMatchObject({ name: 'AirlockError', code: 'KIT_NOT_FOUND', path: missing });
  });

  it('cancels a verify mid-stream across the thread boundary', async () => {
    const abort = new AbortController();
    const progress: ProgressEvent[] = [];
    const running = new WorkerKitJobRunner({ workerUrl: HELD_WORKER }).run(
      { kind: 'verify', kitPath: large, trust: { keyFiles: [env.publicPath] } },
      {
        signal: abort.signal,
        onProgress: (p) => {
          progress.push(p);
          if (p.bytesDone > 4 * 1024 * 1024) abort.abort();
        },
      },
    );
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(progress.some((p) => p.bytesDone > 0)).toBe(true);
  });

  it('terminates a worker that does not stop after cancel within the grace period', async () => {
    const stuck = path.join(dir, 'stuck-worker.ts');
    await fs.writeFile(stuck, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => {});\nsetInterval(() => {}, 1000);\n");
    const abort = new AbortController();
    const running = new WorkerKitJobRunner({ workerUrl: new URL(`file://${stuck}`), cancelGraceMs: 50 }).run(
      { kind: 'verify', kitPath: small, trust: { keyFiles: [env.publicPath] } },
      { signal: abort.signal, onProgress: () => {} },
    );
    abort.abort();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('reports a worker that dies without an answer as INTERNAL', async () => {
    const dying = path.join(dir, 'dying-worker.ts');
    await fs.writeFile(dying, 'process.exit(3);\n');
    await expect(
      new WorkerKitJobRunner({ workerUrl: new URL(`file://${dying}`) }).run({ kind: 'verify', kitPath: small, trust: { keyFiles: [env.publicPath] } }, { signal: new AbortController().signal, onProgress: () => {} }),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('does not start a job whose signal is already aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(new WorkerKitJobRunner().run({ kind: 'verify', kitPath: small, trust: { keyFiles: [env.publicPath] } }, { signal: abort.signal, onProgress: () => {} })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
