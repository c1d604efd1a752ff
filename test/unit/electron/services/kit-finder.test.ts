import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKits, inspectChosenPath } from '../../../../electron/services/kit-finder.ts';

let root: string;

async function put(rel: string, data = 'x'): Promise<void> {
  await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await fs.writeFile(path.join(root, rel), data);
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-finder-'));
  await put('app-1.0.0.kit.tar', 'a'.repeat(100));
  await put('db-2.0.0.KIT.TAR.ZST', 'b'.repeat(50));
  await put('notes.txt');
  await put('release/web-3.1.0.kit.tar.gz', 'c'.repeat(70));
  // A split kit with its index: listed once, through the index.
  await put('split/big-1.0.0.kit.tar.part001', 'p'.repeat(10));
  await put('split/big-1.0.0.kit.tar.part002', 'q'.repeat(5));
  await put(
    'split/big-1.0.0.kit.tar.parts.json',
    JSON.stringify({
      schema: 'airlock.parts/v1',
      kit: 'big-1.0.0.kit.tar',
      size: 15,
      sha256: '0'.repeat(64),
      parts: [
        { name: 'big-1.0.0.kit.tar.part001', size: 10, sha256: '0'.repeat(64) },
        { name: 'big-1.0.0.kit.tar.part002', size: 5, sha256: '0'.repeat(64) },
      ],
    }),
  );
  // Parts without an index: listed through the first part.
  await put('loose/old-0.1.0.kit.tar.part001', 'r');
  await put('loose/old-0.1.0.kit.tar.part002', 's');
  // An unpacked kit: listed, not searched inside.
  await put('unpacked/tool-1.0.0/SHA256SUMS', '');
  await put('unpacked/tool-1.0.0/inner/nested-9.9.9.kit.tar');
  // Too deep, hidden and system folders are not searched.
  await put('a/b/c/deep-1.0.0.kit.tar');
  await put('.hidden/secret-1.0.0.kit.tar');
  await put('System Volume Information/sys-1.0.0.kit.tar');
  await fs.symlink(path.join(root, 'release'), path.join(root, 'link-to-release'));
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('findKits', () => {
  it('lists archives, split kits (once) and unpacked kits within two levels, with sizes', async () => {
    const found = await findKits(root);
    const rel = found.map((k) => [path.relative(root, k.path), k.kind, k.sizeBytes]);
    expect(rel).toEqual([
      ['app-1.0.0.kit.tar', 'archive', 100],
      ['db-2.0.0.KIT.TAR.ZST', 'archive', 50],
      ['loose/old-0.1.0.kit.tar.part001', 'split', 2],
      ['release/web-3.1.0.kit.tar.gz', 'archive', 70],
      ['split/big-1.0.0.kit.tar.parts.json', 'split', 15],
      ['unpacked/tool-1.0.0', 'directory', null],
    ]);
  });

  it('treats a root that is itself an unpacked kit as that kit', async () => {
    expect(await findKits(path.join(root, 'unpacked', 'tool-1.0.0'))).toEqual([{ path: path.join(root, 'unpacked', 'tool-1.0.0'), kind: 'directory', sizeBytes: null }]);
  });

  it('stops at the result limit and reports an unreadable root', async () => {
    expect(await findKits(root, { maxResults: 2 })).toHaveLength(2);
    await expect(findKits(path.join(root, 'missing'))).rejects.toMatchObject({ code: 'IO_ERROR', path: path.join(root, 'missing') });
  });
});

describe('inspectChosenPath', () => {
  it('accepts any file as an archive, parts as split, and unpacked kit folders', async () => {
    expect(await inspectChosenPath(path.join(root, 'notes.txt'))).toEqual({ path: path.join(root, 'notes.txt'), kind: 'archive', sizeBytes: 1 });
    expect((await inspectChosenPath(path.join(root, 'split/big-1.0.0.kit.tar.part002'))).kind).toBe('split');
    expect((await inspectChosenPath(path.join(root, 'unpacked/tool-1.0.0'))).kind).toBe('directory');
  });

  it('refuses a folder that is not a kit and a path that does not exist', async () => {
    await expect(inspectChosenPath(path.join(root, 'release'))).rejects.toMatchObject({ code: 'KIT_FORMAT' });
    await expect(inspectChosenPath(path.join(root, 'nope.kit.tar'))).rejects.toMatchObject({ code: 'KIT_NOT_FOUND' });
  });
});
