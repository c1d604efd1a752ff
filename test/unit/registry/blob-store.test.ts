import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore, OCI_LAYOUT_CONTENT } from '../../../electron/core/registry/blob-store.ts';
import { nodeStoreFs, type CrashPoint, type StoreFs } from '../../../electron/core/registry/store-fs.ts';

const digestOf = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-blobs-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A file system whose writes fail with ENOSPC once `limit` bytes were written in total. */
function fullDiskFs(limit: number): StoreFs {
  let written = 0;
  const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  return {
    ...nodeStoreFs,
    writeSync: (fd, buf, off, len) => {
      if (written + len > limit) throw enospc();
      written += len;
      return nodeStoreFs.writeSync(fd, buf, off, len);
    },
    write: async (fd, buf, off, len) => {
      if (written + len > limit) throw enospc();
      written += len;
      return nodeStoreFs.write(fd, buf, off, len);
    },
  };
}

describe('BlobStore', () => {
  it('lays out an OCI image layout: oci-layout, blobs/sha256, and an ingest folder beside it', async () => {
    const store = new BlobStore(path.join(tmp, 'registry'));
    await store.init();
    expect(fs.readFileSync(path.join(tmp, 'registry/oci/oci-layout'), 'utf8')).toBe(OCI_LAYOUT_CONTENT);
    expect(fs.statSync(path.join(tmp, 'registry/oci/blobs/sha256')).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(tmp, 'registry/ingest')).isDirectory()).toBe(true);
  });

  it('writes through ingest/, renames to the digest name only at commit, and keeps ingest/ empty', async () => {
    const points: CrashPoint[] = [];
    const store = new BlobStore(path.join(tmp, 'registry'), { crash: (p) => points.push(p) });
    await store.init();
    const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const digest = digestOf(data);
    const w = await store.createWriter(data.length);
    for (let off = 0; off < data.length; off += 65536) await w.write(data.subarray(off, off + 65536));
    expect(await store.size(digest)).toBeUndefined();
    expect(fs.readdirSync(store.ingestDir)).toHaveLength(1);
    expect(await w.commit(digest, data.length)).toBe('written');
    expect(fs.readFileSync(store.blobPath(digest)).equals(data)).toBe(true);
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
    expect(await store.computeDigest(digest)).toBe(digest);
    expect(points).toEqual(['ingest-opened', 'ingest-written', 'ingest-fsynced', 'blob-before-rename', 'blob-renamed']);
  });

  it('never writes an existing blob again', async () => {
    const store = new BlobStore(path.join(tmp, 'registry'));
    await store.init();
    const data = Buffer.from('same bytes');
    const first = await store.putBytes(data);
    expect(first.written).toBe(true);
    const before = fs.statSync(store.blobPath(first.digest));
    const again = await store.putBytes(data);
    expect(again).toEqual({ digest: first.digest, written: false });
    const w = await store.createWriter();
    await w.write(data);
    expect(await w.commit(first.digest, data.length)).toBe('present');
    const after = fs.statSync(store.blobPath(first.digest));
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
  });

  it('refuses a commit whose byte count differs from the expected size and leaves nothing behind', async () => {
    const store = new BlobStore(path.join(tmp, 'registry'));
    await store.init();
    const w = await store.createWriter();
    await w.write(Buffer.from('abc'));
    await expect(w.commit(digestOf(Buffer.from('abcd')), 4)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
    expect(await store.listDigests()).toEqual([]);
  });

  it('turns ENOSPC during a write into INSUFFICIENT_SPACE and removes the ingest file', async () => {
    const store = new BlobStore(path.join(tmp, 'registry'), { fs: fullDiskFs(1536 * 1024) });
    await store.init();
    const data = Buffer.alloc(4 * 1024 * 1024, 1);
    const w = await store.createWriter(data.length);
    let error: unknown;
    try {
      for (let off = 0; off < data.length; off += 256 * 1024) await w.write(data.subarray(off, off + 256 * 1024));
      await w.commit(digestOf(data), data.length);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'INSUFFICIENT_SPACE' });
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
    expect(await store.listDigests()).toEqual([]);
  });

  it('abort drops the ingest file', async () => {
    const store = new BlobStore(path.join(tmp, 'registry'));
    await store.init();
    const w = await store.createWriter();
    await w.write(Buffer.from('partial'));
    await w.abort();
    await w.abort();
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
  });

  it('cleanIngest removes leftovers of an interrupted write', async () => {
    const store = new BlobStore(path.join(tmp, 'registry'));
    await store.init();
    fs.writeFileSync(path.join(store.ingestDir, '123-abc'), 'half a blob');
    fs.mkdirSync(path.join(store.ingestDir, 'odd-dir'));
    expect(await store.cleanIngest()).toBe(2);
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
  });

  it('writeFileAtomic replaces a file without leaving temp files, even when the write fails', async () => {
    const store = new BlobStore(path.join(tmp, 'registry'));
    await store.init();
    const file = path.join(store.ociDir, 'index.json');
    await store.writeFileAtomic(file, Buffer.from('{"a":1}'));
    await store.writeFileAtomic(file, Buffer.from('{"a":2}'));
    expect(fs.readFileSync(file, 'utf8')).toBe('{"a":2}');
    const failing = new BlobStore(path.join(tmp, 'registry'), { fs: fullDiskFs(0) });
    await expect(failing.writeFileAtomic(file, Buffer.from('{"a":3}'))).rejects.toMatchObject({ code: 'INSUFFICIENT_SPACE', path: file });
    expect(fs.readFileSync(file, 'utf8')).toBe('{"a":2}');
    expect(fs.readdirSync(store.ociDir).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });

  it('lists only digest-named blobs', async () => {
    const store = new BlobStore(path.join(tmp, 'registry'));
    await store.init();
    const a = await store.putBytes(Buffer.from('a'));
    fs.writeFileSync(path.join(store.blobsDir, 'not-a-digest'), 'x');
    expect(await store.listDigests()).toEqual([a.digest]);
    expect(await store.has(a.digest, 1)).toBe(true);
    expect(await store.has(a.digest, 2)).toBe(false);
  });
});

describe('BlobWriter with a known size', () => {
  it('closes its file as soon as the last byte is in, before commit', async () => {
    const points: CrashPoint[] = [];
    const store = new BlobStore(path.join(tmp, 'registry'), { crash: (p) => points.push(p) });
    await store.init();
    const data = Buffer.alloc(2 * 1024 * 1024 + 5, 3);
    const w = await store.createWriter(data.length);
    await w.write(data.subarray(0, 1024 * 1024 + 1));
    await w.write(data.subarray(1024 * 1024 + 1));
    // The seal runs behind the caller; wait for it to show up.
    for (let i = 0; i < 200 && !points.includes('ingest-fsynced'); i++) await new Promise((r) => setTimeout(r, 5));
    expect(points).toContain('ingest-fsynced');
    expect(fs.statSync(w.ingestPath).size).toBe(data.length);
    expect(await w.commit(digestOf(data), data.length)).toBe('written');
    expect(fs.readFileSync(store.blobPath(digestOf(data))).equals(data)).toBe(true);
  });

  it('refuses bytes beyond the announced size', async () => {
    const store = new BlobStore(path.join(tmp, 'registry'));
    await store.init();
    const w = await store.createWriter(4);
    await expect(w.write(Buffer.from('12345'))).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
  });

  it('writes an empty blob', async () => {
    const store = new BlobStore(path.join(tmp, 'registry'));
    await store.init();
    const w = await store.createWriter(0);
    expect(await w.commit(digestOf(Buffer.alloc(0)), 0)).toBe('written');
    expect(fs.statSync(store.blobPath(digestOf(Buffer.alloc(0)))).size).toBe(0);
  });
});
