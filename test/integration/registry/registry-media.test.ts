// The kit disappears under the import: an archive cut short (a copy still
// being written, a stick pulled), an unpacked kit folder removed, a part of a
// split kit gone. Each ends with a clear error, nothing visible, and an import
// from an intact copy that reuses what was stored.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKit } from '../../../electron/core/kit/kit-builder.ts';
import { Registry } from '../../../electron/core/registry/registry.ts';
import type { CrashPoint } from '../../../electron/core/registry/store-fs.ts';
import { buildTestKit, makeKitEnv, seededBytes, writeKitTree, type KitEnv, type TestKitSpec } from './registry-kit-fixtures.ts';

let tmp: string;
let env: KitEnv;
let kit: string;
const SPEC: TestKitSpec = {
  name: 'media',
  files: {
    'aaa/big.bin': seededBytes('big', 6 * 1024 * 1024),
    ...Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`payload/f${i}.bin`, seededBytes(`f${i}`, 100_000)])),
  },
};

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-media-'));
  env = await makeKitEnv(tmp);
  kit = await buildTestKit(env, SPEC);
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs `action` once at the nth pass of `point`, during an import of `kitPath` into a fresh data dir; returns the error. */
async function importWhile(kitPath: string, point: CrashPoint, nth: number, action: () => void): Promise<{ error: unknown; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
  let seen = 0;
  const registry = await Registry.open(dataDir, { crash: (p) => { if (p === point && ++seen === nth) action(); } });
  try {
    await registry.import(kitPath, { signature: env.signature });
    return { error: undefined, dataDir };
  } catch (error) {
    return { error, dataDir };
  } finally {
    registry.close();
  }
}

async function expectNothingVisibleThenResume(dataDir: string, intactKit: string, code: string): Promise<void> {
  const registry = await Registry.open(dataDir);
  try {
    expect(registry.list()).toEqual([]);
    expect(await registry.check({ deep: true })).toMatchObject({ ok: true });
    expect(registry.catalog.operations('import')).toEqual([expect.objectContaining({ status: 'failed', errorCode: code })]);
    const resumed = await registry.import(intactKit, { signature: env.signature });
    expect(resumed.status).toBe('imported');
    expect(resumed.blobsReused).toBeGreaterThanOrEqual(2);
    expect(await registry.check({ deep: true })).toMatchObject({ ok: true });
  } finally {
    registry.close();
  }
}

describe('kit removed or cut short mid-import', () => {
  it('an archive truncated while it is read: a clear error naming the kit', async () => {
    const copy = path.join(tmp, 'cut.kit.tar');
    fs.copyFileSync(kit, copy);
    // While the big file's first MiB is being written, the rest of the archive vanishes.
    const { error, dataDir } = await importWhile(copy, 'ingest-written', 4, () => fs.truncateSync(copy, 1024 * 1024));
    // The reader tells a file that shrank under it (IO_ERROR) from an archive that ends early (KIT_TRUNCATED).
    const code = (error as { code: string }).code;
    expect(['KIT_TRUNCATED', 'IO_ERROR']).toContain(code);
    expect(error).toMatchObject({ path: copy, message: expect.stringMatching(/shorter|truncated|ends/) });
    await expectNothingVisibleThenResume(dataDir, kit, code);
  });

  it('an unpacked kit folder removed part-way: a clear error naming the file', async () => {
    const folder = path.join(tmp, 'folder-kit');
    fs.mkdirSync(folder);
    execFileSync('tar', ['-xf', kit, '-C', folder]);
    const { error, dataDir } = await importWhile(folder, 'between-blobs', 4, () => fs.rmSync(folder, { recursive: true, force: true }));
    expect(error).toMatchObject({ code: 'KIT_NOT_FOUND', path: expect.stringContaining(folder) });
    await expectNothingVisibleThenResume(dataDir, kit, 'KIT_NOT_FOUND');
  });

  it('a part of a split kit gone (the stick was pulled): a clear error naming the part', async () => {
    const tree = path.join(tmp, 'split-tree');
    await writeKitTree(tree, SPEC);
    const out = path.join(tmp, 'split', 'media.kit.tar');
    fs.mkdirSync(path.dirname(out));
    const built = await buildKit({ dir: tree, out, signingKey: env.key, compress: 'none', sourceDateEpoch: 1767225600, splitSize: 1024 * 1024 });
    expect(built.parts!.length).toBeGreaterThanOrEqual(6);
    const last = path.join(path.dirname(out), built.parts!.at(-1)!.name);
    const { error, dataDir } = await importWhile(built.kitPath, 'between-blobs', 3, () => fs.rmSync(last));
    expect(['KIT_NOT_FOUND', 'KIT_PART_MISSING', 'IO_ERROR']).toContain((error as { code: string }).code);
    expect((error as { path: string }).path).toContain('media.kit.tar.part');
    await expectNothingVisibleThenResume(dataDir, kit, (error as { code: string }).code);
  });
});
