// Full disks: the up-front free-space check, ENOSPC in the middle of a write
// on a real small tmpfs, and an injected ENOSPC. Each ends with
// INSUFFICIENT_SPACE, nothing visible, and a registry a later import completes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../../electron/core/registry/registry.ts';
import { nodeStoreFs, type StoreFs } from '../../../electron/core/registry/store-fs.ts';
import { buildTestKit, makeKitEnv, seededBytes, type KitEnv } from './registry-kit-fixtures.ts';

const MiB = 1024 * 1024;
let tmp: string;
let env: KitEnv;
let smallKit: string;
const mounts: string[] = [];

function mountTmpfs(dir: string, size: string): void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounts.push(dir);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-disk-'));
  env = await makeKitEnv(tmp);
  smallKit = await buildTestKit(env, { name: 'small', files: { 'payload/a.bin': seededBytes('a', 200_000), 'payload/b.txt': 'b\n' } });
});

afterAll(() => {
  for (const dir of mounts.reverse()) execFileSync('umount', [dir]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** `operations`: how many failed import operations were recorded (0 when the import stopped before writing). */
async function expectNothingVisible(dataDir: string, code: string, operations: number): Promise<void> {
  const registry = await Registry.open(dataDir);
  try {
    expect(registry.list()).toEqual([]);
    expect(await registry.check({ deep: true })).toMatchObject({ ok: true });
    expect(fs.readdirSync(registry.store.ingestDir)).toEqual([]);
    const ops = registry.catalog.operations('import');
    expect(ops).toHaveLength(operations);
    for (const op of ops) expect(op).toMatchObject({ status: 'failed', errorCode: code });
    const index = JSON.parse(fs.readFileSync(path.join(dataDir, 'registry/oci/index.json'), 'utf8')) as { manifests: unknown[] };
    expect(index.manifests).toEqual([]);
  } finally {
    registry.close();
  }
}

describe('full disk', () => {
  it('checks free space before writing the kit and names the folder, the need and what is free', async () => {
    const dataDir = path.join(tmp, 'tiny');
    mountTmpfs(dataDir, '16m');
    const registry = await Registry.open(dataDir);
    let error: unknown;
    try {
      await registry.import(smallKit, { signature: env.signature });
    } catch (e) {
      error = e;
    } finally {
      registry.close();
    }
    expect(error).toMatchObject({ code: 'INSUFFICIENT_SPACE', path: dataDir, details: { neededBytes: expect.any(Number), freeBytes: expect.any(Number) } });
    const details = (error as { details: { neededBytes: number; freeBytes: number } }).details;
    expect(details.freeBytes).toBeLessThan(16 * MiB);
    expect(details.neededBytes).toBeGreaterThan(64 * MiB);
    expect((error as Error).message).toMatch(new RegExp(`^${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} has .* free, the import needs about .*`));
    await expectNothingVisible(dataDir, 'INSUFFICIENT_SPACE', 0);
  });

  it('fails cleanly when the disk fills during the write (real tmpfs), and a later import with room completes', async () => {
    // Highly compressible: the zstd kit is tiny, so the up-front estimate passes; unpacked it needs 80 MiB.
    const big = await buildTestKit(env, {
      name: 'roomy',
      files: { 'payload/a.bin': Buffer.alloc(40 * MiB, 'airlock '), 'payload/b.bin': Buffer.alloc(40 * MiB, 'kit '), 'payload/c.txt': 'c\n' },
    }, { compress: 'zstd' });
    expect(fs.statSync(big).size).toBeLessThan(2 * MiB);
    const dataDir = path.join(tmp, 'filling');
    mountTmpfs(dataDir, '70m');
    const registry = await Registry.open(dataDir);
    try {
      await expect(registry.import(big, { signature: env.signature })).rejects.toMatchObject({ code: 'INSUFFICIENT_SPACE' });
    } finally {
      registry.close();
    }
    // One failed operation: the free-space check passed and the writes began.
    await expectNothingVisible(dataDir, 'INSUFFICIENT_SPACE', 1);
    execFileSync('mount', ['-o', 'remount,size=200m', dataDir]);
    const again = await Registry.open(dataDir);
    try {
      const result = await again.import(big, { signature: env.signature });
      expect(result.status).toBe('imported');
      // The 40 MiB blob that made it before the disk filled is reused, not written again.
      expect(result.blobsReused).toBeGreaterThanOrEqual(1);
      expect(await again.check({ deep: true })).toMatchObject({ ok: true });
    } finally {
      again.close();
    }
  });

  it('turns an injected ENOSPC into INSUFFICIENT_SPACE with nothing visible', async () => {
    const dataDir = path.join(tmp, 'injected');
    let written = 0;
    const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const count = (len: number): void => {
      if (written + len > 100_000) throw enospc();
      written += len;
    };
    // The store's writes fail once 100 kB are written; the catalog (SQLite) is not affected.
    const full: StoreFs = {
      ...nodeStoreFs,
      writeSync: (fd, buf, off, len) => {
        count(len);
        return nodeStoreFs.writeSync(fd, buf, off, len);
      },
      write: async (fd, buf, off, len) => {
        count(len);
        return nodeStoreFs.write(fd, buf, off, len);
      },
    };
    const registry = await Registry.open(dataDir, { fs: full });
    try {
      await expect(registry.import(smallKit, { signature: env.signature })).rejects.toMatchObject({ code: 'INSUFFICIENT_SPACE' });
    } finally {
      registry.close();
    }
    await expectNothingVisible(dataDir, 'INSUFFICIENT_SPACE', 1);
    const again = await Registry.open(dataDir);
    try {
      expect((await again.import(smallKit, { signature: env.signature })).status).toBe('imported');
    } finally {
      again.close();
    }
  });

  it('uses the injected free-space probe (no write happens when the numbers say no)', async () => {
    const dataDir = path.join(tmp, 'probe');
    const registry = await Registry.open(dataDir, { statfs: () => ({ bavail: 10, bsize: 4096 }) });
    try {
      await expect(registry.import(smallKit, { signature: env.signature })).rejects.toMatchObject({ code: 'INSUFFICIENT_SPACE', details: { freeBytes: 40960 } });
    } finally {
      registry.close();
    }
    await expectNothingVisible(dataDir, 'INSUFFICIENT_SPACE', 0);
  });
});
